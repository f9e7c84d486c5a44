/// A broker that can say how many messages it still holds for some queues —
/// ready, scheduled for later, or claimed and not yet settled — so a runtime
/// can tell when it has gone idle.
public protocol PendingCounting {
    func outstandingCount(queues: [String]) -> Int
}

extension MemoryBackend: PendingCounting {
    public func outstandingCount(queues: [String]) -> Int {
        brokerCondition.lock()
        defer { brokerCondition.unlock() }
        let wanted = Set(queues)
        let ready = wanted.reduce(0) { $0 + (brokerState.ready[$1]?.count ?? 0) }
        let delayed = brokerState.delayedMessages.values.count { wanted.contains($0.queue) }
        let claimed = brokerState.inFlight.values.count { wanted.contains($0.queued.queue) }
        return ready + delayed + claimed
    }
}
