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

extension SQLiteBackend: PendingCounting {
    /// Queued, scheduled and claimed messages of `queues` in the database — of
    /// every process sharing it. 0 when the database cannot be read.
    public func outstandingCount(queues: [String]) -> Int {
        guard let report = try? inspect() else { return 0 }
        let wanted = Set(queues)
        return report.queues.filter { wanted.contains($0.queue) }.reduce(0) { $0 + $1.queued + $1.scheduled + $1.running }
    }
}
