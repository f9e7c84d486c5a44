import Foundation

/// Result metas: one row per task id in `results` (which also holds the
/// task's latest attempt, see `recordAttempt`), written with one UPSERT that
/// refuses to replace a SUCCESS, so concurrent writers in any process can
/// never overwrite a success. A row with a NULL state holds no result.
extension SQLiteBackend: ResultStore {
    @discardableResult
    public func store(_ meta: ResultMeta) throws(ChorusError) -> Bool {
        let values = metaValues(meta)
        return try write("storing the \(meta.state.rawValue) result of \(meta.taskID)", atomic: false) { (c: SQLiteConnection) throws(SQLiteError) in
            try Self.store(c, values, ready: meta.state.isReady)
        }
    }

    /// The task's start and end: its attempt and its result, which share
    /// a row, usually written by one statement.
    @discardableResult
    public func record(_ attempt: AttemptRecord, storing meta: ResultMeta) throws(ChorusError) -> Bool {
        let metaValues = metaValues(meta)
        let attemptValues = attemptValues(attempt)
        let ready = meta.state.isReady
        return try write("recording attempt \(attempt.attempt) of \(attempt.taskID)", atomic: false) { (c: SQLiteConnection) throws(SQLiteError) in
            guard attempt.taskID == meta.taskID else {
                try Self.recordAttempt(c, attemptValues, attempt: attempt.attempt)
                return try Self.store(c, metaValues, ready: ready)
            }
            let both = metaValues + Array(attemptValues[1..<14])
            // A first start: a new row with both (nothing if the task has one).
            if attempt.attempt == 1 && meta.state == .started,
               try c.run(Self.insertBoth, both) == 1 {
                return true
            }
            // A newer state of the latest attempt, in the same workflow, with
            // a result that is not SUCCESS.
            if try c.run(Self.updateBoth, Array(both[0..<29])) == 1 {
                if ready { c.commitWords.addResult(meta.taskID) }
                return true
            }
            try Self.recordAttempt(c, attemptValues, attempt: attempt.attempt)
            return try Self.store(c, metaValues, ready: ready)
        }
    }

    /// `meta` as statement values: ?1 task id, ?2 state, ?3 result,
    /// ?4–?6 error type, message, module, ?7 traceback, ?8 children, ?9 date
    /// done, ?10 retries, ?11 group, ?12 parent, ?13 name, ?14 worker,
    /// ?15 queue, ?16 now (wall µs), ?17 expiry. A READY meta without a date
    /// done gets now.
    func metaValues(_ meta: ResultMeta) -> [SQLValue] {
        let now = clock.now
        let dateDone = meta.dateDone ?? (meta.state.isReady ? now : nil)
        return [
            .text(meta.taskID), .text(meta.state.rawValue), .text(meta.result.serialized()),
            .optionalText(meta.error?.type), .optionalText(meta.error?.message), .optionalText(meta.error?.module),
            .optionalText(meta.traceback), .text(JSON.array(meta.children).serialized()),
            .optionalDouble(dateDone?.timeIntervalSince1970), .int(Int64(meta.retries)),
            .optionalText(meta.groupID), .optionalText(meta.parentID), .optionalText(meta.name),
            .optionalText(meta.worker), .optionalText(meta.queue), .int(Self.micros(now)),
            .int(Self.micros(now.addingTimeInterval(options.resultExpires))),
        ]
    }

    private static let metaColumns = """
        task_id, state, result, error_type, error_message, error_module, traceback, children,
        date_done, retries, group_id, parent_id, name, worker, queue, updated_at, expires_at
        """
    private static let metaAssignments = """
        state = excluded.state, result = excluded.result,
        error_type = excluded.error_type, error_message = excluded.error_message,
        error_module = excluded.error_module, traceback = excluded.traceback, children = excluded.children,
        date_done = excluded.date_done, retries = excluded.retries, group_id = excluded.group_id,
        parent_id = excluded.parent_id, name = excluded.name, worker = excluded.worker, queue = excluded.queue,
        updated_at = excluded.updated_at, expires_at = excluded.expires_at
        """

    /// Stores a meta (`metaValues`) in the open transaction. `created_at`
    /// (?16, the first write's `updated_at`) is never updated: no index entry
    /// moves when a task's state changes (see `purgeExpired`).
    static func store(_ c: SQLiteConnection, _ values: [SQLValue], ready: Bool) throws(SQLiteError) -> Bool {
        let stored = try c.run("""
            INSERT INTO results (id, \(metaColumns), created_at)
            VALUES (\(nextOrder), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?16)
            ON CONFLICT (task_id) DO UPDATE SET \(metaAssignments)
            WHERE results.state IS NOT 'SUCCESS'
            """, values) == 1
        if stored && ready, case .text(let taskID) = values[0] { c.commitWords.addResult(taskID) }
        return stored
    }

    /// `metaValues` then `attemptValues` less the task id: ?18 attempt,
    /// ?19 task name, ?20 root, … ?29 attempt expiry, ?30 now.
    private static let insertBoth = """
        INSERT INTO results (id, \(metaColumns), created_at, attempt, attempt_task_name, root_id, attempt_parent_id,
            attempt_group_id, attempt_state, started_at, finished_at, attempt_error_type, attempt_error_message,
            next_countdown, attempt_expires_at)
        VALUES (\(nextOrder), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?30,
            ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)
        ON CONFLICT (task_id) DO NOTHING
        """
    private static let updateBoth = """
        UPDATE results SET state = ?2, result = ?3, error_type = ?4, error_message = ?5, error_module = ?6,
            traceback = ?7, children = ?8, date_done = ?9, retries = ?10, group_id = ?11, parent_id = ?12, name = ?13,
            worker = ?14, queue = ?15, updated_at = ?16, expires_at = ?17,
            attempt_task_name = ?19, attempt_parent_id = ?21, attempt_group_id = ?22, attempt_state = ?23,
            started_at = ?24, finished_at = ?25, attempt_error_type = ?26, attempt_error_message = ?27,
            next_countdown = ?28, attempt_expires_at = ?29
        WHERE task_id = ?1 AND attempt = ?18 AND root_id IS ?20 AND state IS NOT 'SUCCESS'
        """

    public func result(for taskID: String) throws(ChorusError) -> ResultMeta? {
        let path = self.path
        return try read("reading the result of \(taskID)") { (c: SQLiteConnection) throws(SQLiteError) in
            try c.queryFirst("""
                SELECT task_id, state, result, error_type, error_message, error_module, traceback, children, date_done,
                    retries, group_id, parent_id, name, worker, queue
                FROM results WHERE task_id = ? AND state IS NOT NULL
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
