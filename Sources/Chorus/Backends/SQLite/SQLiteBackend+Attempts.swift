import Foundation

/// Attempt history. A task's latest attempt lives in its `results` row (the
/// commit of a task's start and end then writes one table, not two); its
/// earlier attempts, when it was retried, in `attempts`.
///
/// Attempts list in the order each was first recorded: a `results` row's id
/// and an `attempts` row's `ord` count in one sequence (`nextOrder`). A
/// record replaced in place keeps its place; a new latest attempt, or a record
/// that moves to another workflow, goes last. When a newer attempt arrives,
/// the row's attempt moves to `attempts` with its place (`ord`) kept.
///
/// The root indexes (`results_root`, `attempts_root`) hold only the attempts
/// of tasks that are not their workflow's root: a lone task adds no entry.
/// The root's own attempts are found by task id.
extension SQLiteBackend {
    public func recordAttempt(_ record: AttemptRecord) throws(ChorusError) {
        let values = attemptValues(record)
        try write("recording attempt \(record.attempt) of \(record.taskID)", atomic: false) { (c: SQLiteConnection) throws(SQLiteError) in
            try Self.recordAttempt(c, values, attempt: record.attempt)
        }
    }

    /// The next number of the order sequence shared by `results.id` and
    /// `attempts.ord` (and `attempts.seq`, so that it stays above every `ord`).
    static let nextOrder = """
        (SELECT max(coalesce((SELECT max(id) FROM results), 0), coalesce((SELECT max(seq) FROM attempts), 0)) + 1)
        """

    /// `record` as statement values: ?1 task id, ?2 attempt, ?3 task name,
    /// ?4 root, ?5 parent, ?6 group, ?7 state, ?8 started, ?9 finished,
    /// ?10 error type, ?11 error message, ?12 next countdown, ?13 expiry,
    /// ?14 now (wall µs), ?15 the expiry of a result written now.
    func attemptValues(_ record: AttemptRecord) -> [SQLValue] {
        let now = clock.now
        return [
            .text(record.taskID), .int(Int64(record.attempt)), .text(record.taskName), .optionalText(record.rootID),
            .optionalText(record.parentID), .optionalText(record.groupID), .text(record.state.rawValue),
            .optionalDouble(record.startedAt?.timeIntervalSince1970), .optionalDouble(record.finishedAt?.timeIntervalSince1970),
            .optionalText(record.errorType), .optionalText(record.errorMessage), .optionalDouble(record.nextCountdown),
            .int(Self.micros(now.addingTimeInterval(options.attemptExpires))), .int(Self.micros(now)),
            .int(Self.micros(now.addingTimeInterval(options.resultExpires))),
        ]
    }

    /// The columns of a row's latest attempt set from `attemptValues` (?2–?13).
    static let currentAttemptAssignments = """
        attempt = ?2, attempt_task_name = ?3, root_id = ?4, attempt_parent_id = ?5, attempt_group_id = ?6,
        attempt_state = ?7, started_at = ?8, finished_at = ?9, attempt_error_type = ?10,
        attempt_error_message = ?11, next_countdown = ?12, attempt_expires_at = ?13
        """

    /// Records one attempt (`values` from `attemptValues`) in the open transaction.
    static func recordAttempt(_ c: SQLiteConnection, _ values: [SQLValue], attempt: Int) throws(SQLiteError) {
        // The usual case, one statement: a newer state of the task's latest
        // attempt, in the same workflow (so no index entry moves).
        let inPlace = try c.run(
            "UPDATE results SET \(currentAttemptAssignments) WHERE task_id = ?1 AND attempt = ?2 AND root_id IS ?4",
            Array(values[0..<13]))
        if inPlace == 1 { return }
        try c.savepoint { (s: SQLiteConnection) throws(SQLiteError) in try recordAttemptElsewhere(s, values, attempt: attempt) }
    }

    private static let attemptsColumns = """
        task_id, attempt, task_name, root_id, parent_id, group_id, state, started_at, finished_at,
        error_type, error_message, next_countdown, expires_at, created_at
        """

    /// Every case but the usual one: an earlier attempt, a new latest one,
    /// a record that changes workflow, or a task with no row yet.
    private static func recordAttemptElsewhere(_ c: SQLiteConnection, _ values: [SQLValue], attempt: Int) throws(SQLiteError) {
        // An earlier attempt kept in `attempts`: replaced there, in place
        // unless it moves to another workflow (then last).
        let earlier = try c.queryFirst(
            "SELECT seq, root_id IS ?3 FROM attempts WHERE task_id = ?1 AND attempt = ?2", Array(values[0..<2]) + [values[3]]
        ) { (seq: $0.int(0), sameRoot: $0.int(1) != 0) }
        if let earlier {
            if earlier.sameRoot {
                try c.run("""
                    UPDATE attempts SET task_name = ?3, parent_id = ?5, group_id = ?6, state = ?7, started_at = ?8,
                        finished_at = ?9, error_type = ?10, error_message = ?11, next_countdown = ?12, expires_at = ?13
                    WHERE seq = ?14
                    """, Array(values[0..<13]) + [.int(earlier.seq)])
                return
            }
            try c.run("DELETE FROM attempts WHERE seq = ?", [.int(earlier.seq)])
            try insertEarlierAttempt(c, values)
            return
        }
        let row = try c.queryFirst("SELECT id, attempt FROM results WHERE task_id = ?", [values[0]]) {
            (id: $0.int(0), attempt: $0.optionalInt(1))
        }
        guard let row else {
            try c.run("""
                INSERT INTO results (id, task_id, created_at, attempt, attempt_task_name, root_id, attempt_parent_id,
                    attempt_group_id, attempt_state, started_at, finished_at, attempt_error_type, attempt_error_message,
                    next_countdown, attempt_expires_at)
                VALUES (\(nextOrder), ?1, ?14, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                """, Array(values[0..<14]))
            return
        }
        if let current = row.attempt, current > attempt {
            // An earlier attempt first recorded after a later one.
            try insertEarlierAttempt(c, values)
            return
        }
        if let current = row.attempt, current < attempt {
            // The row's attempt becomes history and keeps its place.
            try c.run("""
                INSERT INTO attempts (seq, ord, \(attemptsColumns))
                SELECT \(nextOrder), id, task_id, attempt, attempt_task_name, root_id, attempt_parent_id, attempt_group_id,
                    attempt_state, started_at, finished_at, attempt_error_type, attempt_error_message, next_countdown,
                    attempt_expires_at, ?2
                FROM results WHERE id = ?1
                """, [.int(row.id), values[13]])
        }
        // The new latest attempt (or the same one in another workflow): last
        // in order. The row is written anew: the sweep's walk follows
        // `created_at`, which moves too, and a result in it is kept at least
        // as long as one written now (an older expiry would be missed by a
        // walk that stops before this row).
        try c.run("""
            UPDATE results SET id = \(nextOrder), created_at = ?14,
                expires_at = CASE WHEN state IS NULL THEN NULL ELSE max(expires_at, ?15) END, \(currentAttemptAssignments)
            WHERE id = ?16
            """, values + [.int(row.id)])
    }

    private static func insertEarlierAttempt(_ c: SQLiteConnection, _ values: [SQLValue]) throws(SQLiteError) {
        try c.run(
            "INSERT INTO attempts (seq, ord, \(attemptsColumns)) VALUES (\(nextOrder), \(nextOrder), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            Array(values[0..<14]))
    }

    public func attempts(forTask taskID: String) throws(ChorusError) -> [AttemptRecord] {
        try attempts(Self.byTask, taskID, doing: "reading the attempts of \(taskID)")
    }

    public func attempts(forRoot rootID: String) throws(ChorusError) -> [AttemptRecord] {
        try attempts(Self.byRoot, rootID, doing: "reading the attempts of workflow \(rootID)")
    }

    private static let earlierColumns = """
        SELECT task_id, attempt, task_name, root_id, parent_id, group_id, state, started_at, finished_at,
            error_type, error_message, next_countdown, ord FROM attempts
        """
    private static let latestColumns = """
        SELECT task_id, attempt, attempt_task_name, root_id, attempt_parent_id, attempt_group_id, attempt_state,
            started_at, finished_at, attempt_error_type, attempt_error_message, next_countdown, id FROM results
        """
    private static let byTask = """
        \(earlierColumns) WHERE task_id = ?1
        UNION ALL \(latestColumns) WHERE task_id = ?1 AND attempt IS NOT NULL
        ORDER BY 2
        """
    /// The indexes' own conditions (`root_id IS NOT task_id`) let SQLite use
    /// them; the root task's attempts come by task id.
    private static let byRoot = """
        \(earlierColumns) WHERE root_id = ?1 AND root_id IS NOT task_id
        UNION ALL \(earlierColumns) WHERE task_id = ?1 AND root_id = ?1
        UNION ALL \(latestColumns) WHERE root_id = ?1 AND root_id IS NOT task_id AND root_id IS NOT NULL
        UNION ALL \(latestColumns) WHERE task_id = ?1 AND root_id = ?1
        ORDER BY 13
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
