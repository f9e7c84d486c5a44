import Foundation

extension MemoryBackend: Broker {
    public func publish(_ message: TaskMessage, to queue: String) throws(ChorusError) {
        let due = message.headers.eta.map { scale.deadline(forWallTime: $0, clock: clock) }
        let now = clock.monotonicNow
        try withBroker { state throws(ChorusError) in
            guard !state.closed else { throw ChorusError(.invalidState, "broker is closed; cannot publish \(message.id)") }
            state.enqueue(Queued(message: message, queue: queue, deliveries: 0, redelivered: false), due: due, now: now)
            brokerCondition.broadcast()
        }
    }

    public func claim(from queues: [String], mode: ClaimMode, timeout: Double) throws(ChorusError) -> Delivery? {
        let giveUp = clock.monotonicNow.advanced(bySeconds: max(0, timeout))
        brokerCondition.lock()
        defer { brokerCondition.unlock() }
        while true {
            let now = clock.monotonicNow
            brokerState.promote(now: now)
            if var queued = brokerState.popFirst(of: queues) {
                queued.deliveries += 1
                // Unique within this backend, which is all a tag must be; a
                // counter costs no random draw (a system call) per claim.
                let tag = "d\(brokerState.nextSequence())"
                var leaseDeadline: MonotonicInstant?
                if case .lease(let seconds) = mode {
                    let deadline = scale.deadline(afterSeconds: seconds, clock: clock)
                    leaseDeadline = deadline
                    brokerState.inFlight[tag] = (queued, deadline)
                    brokerState.leases.insert(LeaseEntry(deadline: deadline, sequence: brokerState.nextSequence(), tag: tag))
                }
                return Delivery(
                    tag: tag, message: queued.message, queue: queued.queue, deliveryCount: queued.deliveries,
                    redelivered: queued.redelivered, leaseDeadline: leaseDeadline)
            }
            if brokerState.closed || now >= giveUp { return nil }
            clock.wait(until: min(giveUp, brokerState.nextChange), on: brokerCondition)
        }
    }

    @discardableResult
    public func ack(_ delivery: Delivery) throws(ChorusError) -> Bool {
        try withBroker { state in
            guard state.inFlight.removeValue(forKey: delivery.tag) != nil else { return false }
            state.compactLeasesIfMostlyStale()
            return true
        }
    }

    @discardableResult
    public func reject(_ delivery: Delivery, requeue: Bool) throws(ChorusError) -> Bool {
        try withBroker { state in
            guard let held = state.inFlight.removeValue(forKey: delivery.tag) else { return false }
            state.compactLeasesIfMostlyStale()
            if requeue {
                state.ready[held.queued.queue, default: []].append(held.queued)
                brokerCondition.broadcast()
            }
            return true
        }
    }

    @discardableResult
    public func extendLease(_ delivery: Delivery, seconds: Double) throws(ChorusError) -> Bool {
        let deadline = scale.deadline(afterSeconds: seconds, clock: clock)
        return try withBroker { state in
            guard state.inFlight[delivery.tag] != nil else { return false }
            state.inFlight[delivery.tag]!.deadline = deadline
            state.leases.insert(LeaseEntry(deadline: deadline, sequence: state.nextSequence(), tag: delivery.tag))
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
