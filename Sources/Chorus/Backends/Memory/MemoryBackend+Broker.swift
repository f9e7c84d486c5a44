import Foundation

extension MemoryBackend: Broker {
    /// Wakes waiting claims after the lock is released (see
    /// `SpinningCondition.broadcast()`): woken while the publisher still held
    /// it, each went back to sleep on the mutex at once.
    public func publish(_ message: TaskMessage, to queue: String) throws(ChorusError) {
        let due = message.headers.eta.map { scale.deadline(forWallTime: $0, clock: clock) }
        let now = clock.monotonicNow
        try withBroker { state throws(ChorusError) in
            guard !state.closed else { throw ChorusError(.invalidState, "broker is closed; cannot publish \(message.id)") }
            state.enqueue(Queued(message: message, queue: queue, deliveries: 0, redelivered: false), due: due, now: now)
        }
        brokerCondition.broadcast()
    }

    /// One lock and one wake-up for the lot: a wide group or chord woke the
    /// idle executors once per member.
    public func publish(_ batch: [(message: TaskMessage, queue: String)]) throws(ChorusError) {
        guard !batch.isEmpty else { return }
        let now = clock.monotonicNow
        let dues = batch.map { item in item.message.headers.eta.map { scale.deadline(forWallTime: $0, clock: clock) } }
        try withBroker { state throws(ChorusError) in
            guard !state.closed else { throw ChorusError(.invalidState, "broker is closed; cannot publish \(batch[0].message.id)") }
            for (item, due) in zip(batch, dues) {
                state.enqueue(Queued(message: item.message, queue: item.queue, deliveries: 0, redelivered: false), due: due, now: now)
            }
        }
        brokerCondition.broadcast()
    }

    public func claim(from queues: [String], mode: ClaimMode, timeout: Double) throws(ChorusError) -> Delivery? {
        var leaseSeconds: Double?
        if case .lease(let seconds) = mode { leaseSeconds = seconds }
        return take(from: queues, leaseSeconds: leaseSeconds, limit: 1, counting: true, timeout: timeout).first
    }

    /// Up to `limit` leased messages under one lock (a claim per message took
    /// the broker lock once per task). As `Broker.prefetch` asks, they are not
    /// counted as deliveries until `begin`.
    public func prefetch(from queues: [String], leaseSeconds: Double, limit: Int, timeout: Double) throws(ChorusError) -> [Delivery] {
        guard limit >= 1 else { return [] }
        return take(from: queues, leaseSeconds: leaseSeconds, limit: limit, counting: false, timeout: timeout)
    }

    /// Counts a prefetched delivery and renews its lease; false if the lease
    /// lapsed meanwhile (the message is queued again or went to another claim).
    @discardableResult
    public func begin(_ delivery: Delivery, leaseSeconds seconds: Double) throws(ChorusError) -> Bool {
        let deadline = scale.deadline(afterSeconds: seconds, clock: clock)
        return try withBroker { state in
            guard let tag = BrokerState.tagKey(delivery), var held = state.inFlight[tag] else { return false }
            held.queued.deliveries = delivery.deliveryCount
            held.deadline = deadline
            state.inFlight[tag] = held
            state.leases.insert(LeaseEntry(deadline: deadline, sequence: state.nextSequence(), tag: tag))
            state.compactLeasesIfMostlyStale()
            return true
        }
    }

    /// Waits up to `timeout` for due messages of `queues` and hands out up to
    /// `limit` of them: removed, or leased for `leaseSeconds` (scaled).
    /// `counting` counts the delivery now (a claim); otherwise the count is
    /// what it would become, and `begin` records it.
    private func take(
        from queues: [String], leaseSeconds: Double?, limit: Int, counting: Bool, timeout: Double
    ) -> [Delivery] {
        let giveUp = clock.monotonicNow.advanced(bySeconds: max(0, timeout))
        brokerCondition.lock()
        defer { brokerCondition.unlock() }
        while true {
            let now = clock.monotonicNow
            brokerState.promote(now: now)
            var deliveries: [Delivery] = []
            var leaseDeadline: MonotonicInstant?
            while deliveries.count < limit, var queued = brokerState.popFirst(of: queues) {
                // Sized once for the batch (growing it allocated two or three times).
                if deliveries.isEmpty { deliveries.reserveCapacity(min(limit, 16)) }
                let deliveryCount = queued.deliveries + 1
                if counting { queued.deliveries = deliveryCount }
                // Unique within this backend, which is all a tag must be; a
                // counter costs no random draw (a system call) per claim.
                let tag = brokerState.nextSequence()
                if let leaseSeconds {
                    let deadline = leaseDeadline ?? scale.deadline(afterSeconds: leaseSeconds, clock: clock)
                    leaseDeadline = deadline
                    let key = CountedKey(tag)
                    brokerState.inFlight[key] = (queued, deadline)
                    brokerState.leases.insert(LeaseEntry(deadline: deadline, sequence: brokerState.nextSequence(), tag: key))
                }
                deliveries.append(Delivery(
                    key: .number(tag), message: queued.message, queue: queued.queue, deliveryCount: deliveryCount,
                    redelivered: queued.redelivered, leaseDeadline: leaseDeadline))
            }
            if !deliveries.isEmpty || brokerState.closed || now >= giveUp { return deliveries }
            brokerCondition.wait(until: min(giveUp, brokerState.nextChange), clock: clock)
        }
    }

    @discardableResult
    public func ack(_ delivery: Delivery) throws(ChorusError) -> Bool {
        try withBroker { state in
            guard let tag = BrokerState.tagKey(delivery), state.inFlight.removeValue(forKey: tag) != nil else { return false }
            state.compactLeasesIfMostlyStale()
            return true
        }
    }

    @discardableResult
    public func reject(_ delivery: Delivery, requeue: Bool) throws(ChorusError) -> Bool {
        try withBroker { state in
            guard let tag = BrokerState.tagKey(delivery), let held = state.inFlight.removeValue(forKey: tag) else { return false }
            state.compactLeasesIfMostlyStale()
            if requeue {
                state.append(held.queued)
                brokerCondition.broadcast()
            }
            return true
        }
    }

    /// Back to the FRONT of their queues in the order given, uncounted (as
    /// `prefetch` left them); ones whose lease lapsed meanwhile are skipped.
    public func release(_ deliveries: [Delivery]) throws(ChorusError) {
        guard !deliveries.isEmpty else { return }
        try withBroker { state in
            for delivery in deliveries.reversed() {
                guard let tag = BrokerState.tagKey(delivery), let held = state.inFlight.removeValue(forKey: tag) else { continue }
                state.prepend(held.queued)
            }
            state.compactLeasesIfMostlyStale()
            brokerCondition.broadcast()
        }
    }

    @discardableResult
    public func extendLease(_ delivery: Delivery, seconds: Double) throws(ChorusError) -> Bool {
        let deadline = scale.deadline(afterSeconds: seconds, clock: clock)
        return try withBroker { state in
            guard let tag = BrokerState.tagKey(delivery), state.inFlight[tag] != nil else { return false }
            state.inFlight[tag]!.deadline = deadline
            state.leases.insert(LeaseEntry(deadline: deadline, sequence: state.nextSequence(), tag: tag))
            state.compactLeasesIfMostlyStale()
            brokerCondition.broadcast()
            return true
        }
    }

    /// Stops the broker: `publish` throws, and `claim` returns nil instead of
    /// waiting once nothing is ready (blocked claims wake now). Messages already
    /// visible can still be claimed and leased ones settled.
    public func closeBroker() {
        brokerCondition.lock()
        brokerState.closed = true
        brokerCondition.broadcast()
        brokerCondition.unlock()
    }

    /// Messages visible or waiting for their eta on `queue` (not counting leased ones).
    public func pendingCount(queue: String) -> Int {
        brokerCondition.lock()
        defer { brokerCondition.unlock() }
        return (brokerState.ready[queue]?.count ?? 0) + brokerState.delayedMessages.values.count { $0.queue == queue }
    }
}
