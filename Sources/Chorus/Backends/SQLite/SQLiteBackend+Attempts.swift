import Foundation

/// Attempt history: one `attempts` row per (task id, attempt). The row id
/// (`seq`) is kept when a record is replaced, so a workflow's attempts list in
/// the order each was first recorded; a record that moves to another root
/// gets a new `seq`, i.e. it goes last in its new workflow.
///
/// `attempts_root` indexes only the attempts of tasks that are not their
/// workflow's root: a lone task (its own root) adds no entry to it. The
/// root's own attempts are found by task id.
extension SQLiteBackend {
    public func recordAttempt(_ record: AttemptRecord) throws(ChorusError) {
        let now = clock.now
        let expires = Self.micros(now.addingTimeInterval(options.attemptExpires))
        let values: [SQLValue] = [
            .text(record.taskID), .int(Int64(record.attempt)), .text(record.taskName), .optionalText(record.rootID),
            .optionalText(record.parentID), .optionalText(record.groupID), .text(record.state.rawValue),
            .optionalDouble(record.startedAt?.timeIntervalSince1970), .optionalDouble(record.finishedAt?.timeIntervalSince1970),
            .optionalText(record.errorType), .optionalText(record.errorMessage), .optionalDouble(record.nextCountdown),
            .int(expires), .int(Self.micros(now)),
        ]
        try write("recording attempt \(record.attempt) of \(record.taskID)", atomic: false) { (c: SQLiteConnection) throws(SQLiteError) in
            // One statement in the usual case: a new record, or a newer state
            // of one in the same workflow (whose root is then unchanged, so
            // its index entry is left alone).
            let stored = try c.run("""
                INSERT INTO attempts (task_id, attempt, task_name, root_id, parent_id, group_id, state, started_at,
                    finished_at, error_type, error_message, next_countdown, expires_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (task_id, attempt) DO UPDATE SET task_name = excluded.task_name,
                    parent_id = excluded.parent_id, group_id = excluded.group_id, state = excluded.state,
                    started_at = excluded.started_at, finished_at = excluded.finished_at, error_type = excluded.error_type,
                    error_message = excluded.error_message, next_countdown = excluded.next_countdown,
                    expires_at = excluded.expires_at
                WHERE attempts.root_id IS excluded.root_id
                """, values)
            guard stored == 0 else { return }
            // It moves to another workflow: a new row (and `seq`), last in that one.
            try c.savepoint { (s: SQLiteConnection) throws(SQLiteError) in
                try s.run("DELETE FROM attempts WHERE task_id = ? AND attempt = ?", [.text(record.taskID), .int(Int64(record.attempt))])
                try s.run("""
                    INSERT INTO attempts (task_id, attempt, task_name, root_id, parent_id, group_id, state, started_at,
                        finished_at, error_type, error_message, next_countdown, expires_at, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, values)
            }
        }
    }

    public func attempts(forTask taskID: String) throws(ChorusError) -> [AttemptRecord] {
        try attempts(Self.byTask, taskID, doing: "reading the attempts of \(taskID)")
    }

    public func attempts(forRoot rootID: String) throws(ChorusError) -> [AttemptRecord] {
        try attempts(Self.byRoot, rootID, doing: "reading the attempts of workflow \(rootID)")
    }

    private static let columns = """
        SELECT task_id, attempt, task_name, root_id, parent_id, group_id, state, started_at, finished_at,
            error_type, error_message, next_countdown, seq FROM attempts
        """
    private static let byTask = "\(columns) WHERE task_id = ? ORDER BY attempt"
    /// The index's own condition (`root_id IS NOT task_id`) lets SQLite use
    /// it; the root task's attempts come by task id.
    private static let byRoot = """
        \(columns) WHERE root_id = ?1 AND root_id IS NOT task_id
        UNION ALL \(columns) WHERE task_id = ?1 AND root_id = ?1
        ORDER BY seq
        """

    private func attempts(_ sql: String, _ id: String, doing: String) throws(ChorusError) -> [AttemptRecord] {
        let path = self.path
        return try read(doing) { (c: SQLiteConnection) throws(SQLiteError) in
            try c.query(sql, [.text(id)]) { (r: SQLiteRow) throws(SQLiteError) in
                guard let state = TaskState(rawValue: r.text(6)) else {
                    throw Self.unreadable(path, "attempt of \(r.text(0))", "state '\(r.text(6))'")
                }
                return AttemptRecord(
                    taskID: r.text(0), taskName: r.text(2), rootID: r.optionalText(3), parentID: r.optionalText(4),
                    groupID: r.optionalText(5), attempt: Int(r.int(1)), state: state,
                    startedAt: r.optionalDouble(7).map(Date.init(timeIntervalSince1970:)),
                    finishedAt: r.optionalDouble(8).map(Date.init(timeIntervalSince1970:)), errorType: r.optionalText(9),
                    errorMessage: r.optionalText(10), nextCountdown: r.optionalDouble(11))
            }
        }
    }
}
