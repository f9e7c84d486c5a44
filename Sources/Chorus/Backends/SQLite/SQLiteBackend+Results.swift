import Foundation

/// Result metas: one row per task id in `results`, written with one UPSERT
/// that refuses to replace a SUCCESS, so concurrent writers in any process
/// can never overwrite a success.
extension SQLiteBackend: ResultStore {
    @discardableResult
    public func store(_ meta: ResultMeta) throws(ChorusError) -> Bool {
        var meta = meta
        let now = clock.now
        if meta.state.isReady && meta.dateDone == nil { meta.dateDone = now }
        let values: [SQLValue] = [
            .text(meta.taskID), .text(meta.state.rawValue), .text(meta.result.serialized()),
            .optionalText(meta.error?.type), .optionalText(meta.error?.message), .optionalText(meta.error?.module),
            .optionalText(meta.traceback), .text(JSON.array(meta.children).serialized()),
            .optionalDouble(meta.dateDone?.timeIntervalSince1970), .int(Int64(meta.retries)),
            .optionalText(meta.groupID), .optionalText(meta.parentID), .optionalText(meta.name),
            .optionalText(meta.worker), .optionalText(meta.queue), .int(Self.micros(now)),
            .int(Self.micros(now.addingTimeInterval(options.resultExpires))),
        ]
        // `created_at` (?16, the first write's `updated_at`) is never updated:
        // no index entry moves when a task's state changes (see `purgeExpired`).
        return try write("storing the \(meta.state.rawValue) result of \(meta.taskID)", atomic: false) { (c: SQLiteConnection) throws(SQLiteError) in
            let stored = try c.run("""
                INSERT INTO results (task_id, state, result, error_type, error_message, error_module, traceback, children,
                    date_done, retries, group_id, parent_id, name, worker, queue, updated_at, expires_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?16)
                ON CONFLICT (task_id) DO UPDATE SET state = excluded.state, result = excluded.result,
                    error_type = excluded.error_type, error_message = excluded.error_message,
                    error_module = excluded.error_module, traceback = excluded.traceback, children = excluded.children,
                    date_done = excluded.date_done, retries = excluded.retries, group_id = excluded.group_id,
                    parent_id = excluded.parent_id, name = excluded.name, worker = excluded.worker, queue = excluded.queue,
                    updated_at = excluded.updated_at, expires_at = excluded.expires_at
                WHERE results.state <> 'SUCCESS'
                """, values) == 1
            if stored && meta.state.isReady { c.commitWords.addResult(meta.taskID) }
            return stored
        }
    }

    public func result(for taskID: String) throws(ChorusError) -> ResultMeta? {
        let path = self.path
        return try read("reading the result of \(taskID)") { (c: SQLiteConnection) throws(SQLiteError) in
            try c.queryFirst("""
                SELECT task_id, state, result, error_type, error_message, error_module, traceback, children, date_done,
                    retries, group_id, parent_id, name, worker, queue
                FROM results WHERE task_id = ?
                """, [.text(taskID)]) { (r: SQLiteRow) throws(SQLiteError) in try Self.meta(from: r, path: path) }
        }
    }

    /// One read transaction for up to `readyBatch` ids at a time (a waiter
    /// on a wide group read them one transaction each).
    public func readyResults(for taskIDs: [String]) throws(ChorusError) -> [String: ResultMeta] {
        let path = self.path
        var found: [String: ResultMeta] = [:]
        var start = 0
        while start < taskIDs.count {
            let ids = taskIDs[start..<min(start + Self.readyBatch, taskIDs.count)]
            start = ids.endIndex
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            let metas = try read("reading the results of \(ids.count) tasks") { (c: SQLiteConnection) throws(SQLiteError) in
                try c.query("""
                    SELECT task_id, state, result, error_type, error_message, error_module, traceback, children, date_done,
                        retries, group_id, parent_id, name, worker, queue
                    FROM results WHERE task_id IN (\(marks)) AND state IN ('SUCCESS', 'FAILURE', 'REVOKED')
                    """, ids.map { .text($0) }) { (r: SQLiteRow) throws(SQLiteError) in try Self.meta(from: r, path: path) }
            }
            for meta in metas { found[meta.taskID] = meta }
        }
        return found
    }

    /// Ids per `readyResults` query (well under SQLite's bound-parameter limit).
    static let readyBatch = 256

    public func waitForReadyResult(for taskID: String, timeout: Double) throws(ChorusError) -> ResultMeta? {
        try poll(timeout: timeout, on: CommitSignal.result(taskID)) { () throws(ChorusError) -> PollStep<ResultMeta> in
            guard let meta = try result(for: taskID), meta.state.isReady else { return .wait(untilMicros: nil) }
            return .done(meta)
        }
    }

    private static func meta(from r: SQLiteRow, path: String) throws(SQLiteError) -> ResultMeta {
        let taskID = r.text(0)
        guard let state = TaskState(rawValue: r.text(1)) else { throw unreadable(path, "result of \(taskID)", "state '\(r.text(1))'") }
        let result: JSON
        let children: JSON
        do {
            result = try JSON(parsing: r.text(2))
            children = try JSON(parsing: r.text(7))
        } catch {
            throw unreadable(path, "result of \(taskID)", "\(error)")
        }
        var error: TaskErrorInfo?
        if let type = r.optionalText(3) {
            error = TaskErrorInfo(type: type, message: r.optionalText(4) ?? "", module: r.optionalText(5) ?? "chorus")
        }
        return ResultMeta(
            taskID: taskID, state: state, result: result, error: error, traceback: r.optionalText(6),
            children: children.arrayValue ?? [], dateDone: r.optionalDouble(8).map(Date.init(timeIntervalSince1970:)),
            retries: Int(r.int(9)), groupID: r.optionalText(10), parentID: r.optionalText(11), name: r.optionalText(12),
            worker: r.optionalText(13), queue: r.optionalText(14))
    }

    /// A stored row Chorus cannot read back: the file was edited or damaged.
    static func unreadable(_ path: String, _ what: String, _ detail: String) -> SQLiteError {
        SQLiteError(ChorusError(.backend, "database \(path) holds an unreadable \(what) (\(detail)); the file was edited or damaged — restore it from a backup"))
    }
}
