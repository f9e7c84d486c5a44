extension MemoryBackend: ResultStore {
    @discardableResult
    public func store(_ meta: ResultMeta) throws(ChorusError) -> Bool {
        var meta = meta
        if meta.state.isReady && meta.dateDone == nil { meta.dateDone = clock.now }
        return try withResults { state in
            // `&metas[id]` is one hash lookup for the check and the write.
            guard Self.replace(&state.metas[meta.taskID], with: meta) else { return false }
            if meta.state.isReady {
                resultCondition.broadcast()
                guard !state.asyncWaiters.isEmpty else { return true }
                for (id, waiter) in state.asyncWaiters.removeValue(forKey: meta.taskID) ?? [:] {
                    state.activeWaiters.remove(id)
                    waiter.resume(returning: meta)
                }
            }
            return true
        }
    }

    /// Puts `meta` in `slot` unless a SUCCESS is already there (a result
    /// is final once it succeeded). Returns whether it was stored.
    private static func replace(_ slot: inout ResultMeta?, with meta: ResultMeta) -> Bool {
        if slot?.state == .success { return false }
        slot = meta
        return true
    }

    public func result(for taskID: String) throws(ChorusError) -> ResultMeta? {
        try withResults { state in state.metas[taskID] }
    }

    public func waitForReadyResult(for taskID: String, timeout: Double) throws(ChorusError) -> ResultMeta? {
        let giveUp = clock.monotonicNow.advanced(bySeconds: max(0, timeout))
        resultCondition.lock()
        defer { resultCondition.unlock() }
        while true {
            if let meta = resultState.metas[taskID], meta.state.isReady { return meta }
            if clock.monotonicNow >= giveUp { return nil }
            clock.wait(until: giveUp, on: resultCondition)
        }
    }

    public func setChordSize(_ size: Int, forGroup groupID: String) throws(ChorusError) -> ChordPartOutcome {
        guard size >= 0 else { throw ChorusError(.invalidInput, "chord size must be >= 0, got \(size) for group \(groupID)") }
        return try withResults { state in state.setChordSize(size, groupID: groupID) }
    }

    public func recordChordPart(_ part: ChordPart, forGroup groupID: String) throws(ChorusError) -> ChordPartOutcome {
        try withResults { state in state.record(part, groupID: groupID) }
    }

    public func recordAttempt(_ record: AttemptRecord) throws(ChorusError) {
        try withResults { state in state.record(record) }
    }

    public func attempts(forTask taskID: String) throws(ChorusError) -> [AttemptRecord] {
        try withResults { state in state.attempts(forTask: taskID) }
    }

    public func attempts(forRoot rootID: String) throws(ChorusError) -> [AttemptRecord] {
        try withResults { state in state.attempts(forRoot: rootID) }
    }
}
