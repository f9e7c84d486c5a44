import Foundation

extension MemoryBackend: ResultStore {
    @discardableResult
    public func store(_ meta: ResultMeta) throws(ChorusError) -> Bool {
        try store(meta, attempt: nil)
    }

    @discardableResult
    public func record(_ attempt: AttemptRecord, storing meta: ResultMeta) throws(ChorusError) -> Bool {
        try store(meta, attempt: attempt)
    }

    /// One locked update of a task's entry: the meta (unless a SUCCESS is
    /// stored) and the attempt, then READY waiters are woken.
    private func store(_ meta: ResultMeta, attempt: AttemptRecord?) throws(ChorusError) -> Bool {
        var meta = meta
        if meta.state.isReady && meta.dateDone == nil { meta.dateDone = clock.now }
        let key = TaskKey(meta.taskID)
        let ends = meta.state.isReady || attempt?.state.endsAttempt == true
        var wake = false
        let stored = try withResults { state in
            guard state.store(meta, attempt: attempt, key: key, now: ends ? clock.monotonicNow : nil) else { return false }
            if meta.state.isReady {
                // Only when someone waits for this very task: a broadcast per
                // result woke a thread waiting for another one at every task.
                wake = state.blockedWaiters[key] != nil
                guard !state.asyncWaiters.isEmpty else { return true }
                for (id, waiter) in state.asyncWaiters.removeValue(forKey: meta.taskID) ?? [:] {
                    state.activeWaiters.remove(id)
                    waiter.resume(returning: meta)
                }
            }
            return true
        }
        // After the lock is released (see `SpinningCondition.broadcast()`).
        if wake { resultCondition.broadcast() }
        return stored
    }

    public func recordStarted(_ message: TaskMessage, queue: String, startedAt: Date) throws(ChorusError) {
        let key = TaskKey(message.id)
        try withResults { state in state.start(message, queue: queue, startedAt: startedAt, key: key) }
    }

    public func result(for taskID: String) throws(ChorusError) -> ResultMeta? {
        try withResults { state in state.meta(for: taskID) }
    }

    public func waitForReadyResult(for taskID: String, timeout: Double) throws(ChorusError) -> ResultMeta? {
        let key = TaskKey(taskID)
        resultCondition.lock()
        defer { resultCondition.unlock() }
        if let meta = resultState.readyMeta(for: key) { return meta }
        // The clock is read only when the result is not there yet.
        let giveUp = clock.monotonicNow.advanced(bySeconds: max(0, timeout))
        resultState.blockedWaiters[key, default: 0] += 1
        defer {
            resultState.blockedWaiters[key]! -= 1
            if resultState.blockedWaiters[key] == 0 { resultState.blockedWaiters[key] = nil }
        }
        while true {
            if clock.monotonicNow >= giveUp { return nil }
            resultCondition.wait(until: giveUp, clock: clock)
            if let meta = resultState.readyMeta(for: key) { return meta }
        }
    }

    public func setChordSize(_ size: Int, forGroup groupID: String) throws(ChorusError) -> ChordPartOutcome {
        guard size >= 0 else { throw ChorusError(.invalidInput, "chord size must be >= 0, got \(size) for group \(groupID)") }
        return try withResults { state in state.setChordSize(size, groupID: groupID, now: clock.monotonicNow) }
    }

    public func recordChordPart(_ part: ChordPart, forGroup groupID: String) throws(ChorusError) -> ChordPartOutcome {
        try withResults { state in state.record(part, groupID: groupID, now: clock.monotonicNow) }
    }

    public func recordAttempt(_ record: AttemptRecord) throws(ChorusError) {
        let now = record.state.endsAttempt ? clock.monotonicNow : nil
        try withResults { state in _ = state.store(nil, attempt: record, key: TaskKey(record.taskID), now: now) }
    }

    public func attempts(forTask taskID: String) throws(ChorusError) -> [AttemptRecord] {
        try withResults { state in state.attempts(forTask: taskID) }
    }

    public func attempts(forRoot rootID: String) throws(ChorusError) -> [AttemptRecord] {
        try withResults { state in state.attempts(forRoot: rootID) }
    }
}
