import Foundation

/// What `purgeExpired` deleted.
public struct PurgeReport: Sendable, Hashable {
    public var results = 0
    public var attempts = 0
    public var chords = 0
    public var workers = 0

    public init() {}
}

/// Retention: results and chord counters expire `resultExpires` after they
/// were last written (default 1 day, like Celery), attempt history
/// `attemptExpires` after it was recorded (7 days), and workers silent for
/// longer than `resultExpires` are forgotten. Messages never expire here: a
/// queued task is never lost to cleaning (its own `expires` revokes it).
///
/// Results, attempts and chords have no index on their expiry (keeping one
/// cost a page in every task's commit): their row ids are first-written order, so
/// the sweep walks them oldest first and stops at the first row written
/// after its horizon — now less this backend's retention — since no row
/// written later can have expired yet. Rows before it that are still kept
/// (rewritten since, e.g. a task that ran or retried for long) are passed
/// over, and not looked at again (`SweepCursors`) until the earliest expiry
/// among them. A row written by a process with a shorter retention than the
/// sweeping one's is deleted once the sweeper's horizon reaches it.
///
/// A `results` row holds a result and the task's latest attempt, which
/// expire apart: the one that expires first is cleared, and the row goes
/// with the other.
extension SQLiteBackend {
    /// Deletes expired rows as of `now` (default: the clock's now) in batches
    /// of `batchSize` rows, each its own short write transaction, so workers
    /// are never blocked for more than one small batch.
    @discardableResult
    public func purgeExpired(now: Date? = nil, batchSize: Int = 500) throws(ChorusError) -> PurgeReport {
        let date = now ?? clock.now
        let cutoff = Self.micros(date)
        let batch = max(1, batchSize)
        let resultHorizon = Self.micros(date.addingTimeInterval(-options.resultExpires))
        let attemptHorizon = Self.micros(date.addingTimeInterval(-options.attemptExpires))
        var report = PurgeReport()
        let results = try purgeOldest(.results, cutoff, horizon: max(resultHorizon, attemptHorizon), batch)
        let attempts = try purgeOldest(.attempts, cutoff, horizon: attemptHorizon, batch)
        // Parts go with their chord (ON DELETE CASCADE).
        report.chords = try purgeOldest(.chords, cutoff, horizon: resultHorizon, batch).results
        report.results = results.results
        report.attempts = results.attempts + attempts.attempts
        let silentSince = date.addingTimeInterval(-options.resultExpires).timeIntervalSince1970
        report.workers = try write("forgetting silent workers") { (c: SQLiteConnection) throws(SQLiteError) in
            try c.run("DELETE FROM workers WHERE heartbeat_at < ?", [.double(silentSince)])
        }
        return report
    }

    /// A table the sweep walks: how to read a row's two expiries (a result
    /// or chord's, an attempt's; NULL when it holds none) and clear each.
    struct SweptTable {
        let name: String
        let select: String
        let clearResult: String?
        let clearAttempt: String?

        static let results = SweptTable(
            name: "results",
            select: """
                SELECT id, created_at, CASE WHEN state IS NULL THEN NULL ELSE expires_at END,
                    CASE WHEN attempt IS NULL THEN NULL ELSE attempt_expires_at END
                FROM results WHERE id > ? ORDER BY id LIMIT ?
                """,
            clearResult: """
                UPDATE results SET state = NULL, result = NULL, error_type = NULL, error_message = NULL,
                    error_module = NULL, traceback = NULL, children = NULL, date_done = NULL, retries = NULL,
                    group_id = NULL, parent_id = NULL, name = NULL, worker = NULL, queue = NULL, updated_at = NULL,
                    expires_at = NULL
                WHERE id = ?
                """,
            clearAttempt: """
                UPDATE results SET attempt = NULL, attempt_task_name = NULL, root_id = NULL, attempt_parent_id = NULL,
                    attempt_group_id = NULL, attempt_state = NULL, started_at = NULL, finished_at = NULL,
                    attempt_error_type = NULL, attempt_error_message = NULL, next_countdown = NULL,
                    attempt_expires_at = NULL
                WHERE id = ?
                """)
        static let attempts = SweptTable(
            name: "attempts",
            select: "SELECT seq, created_at, NULL, expires_at FROM attempts WHERE seq > ? ORDER BY seq LIMIT ?",
            clearResult: nil, clearAttempt: nil)
        static let chords = SweptTable(
            name: "chords",
            select: "SELECT rowid, created_at, expires_at, NULL FROM chords WHERE rowid > ? ORDER BY rowid LIMIT ?",
            clearResult: nil, clearAttempt: nil)
    }

    /// Deletes the expired rows of `table` written up to `horizon`, walking
    /// them in row-id order, `batch` rows a transaction. Returns how many
    /// results (or chords) and attempts went.
    private func purgeOldest(_ table: SweptTable, _ cutoff: Int64, horizon: Int64, _ batch: Int) throws(ChorusError) -> (results: Int, attempts: Int) {
        var total = (results: 0, attempts: 0)
        // Resume after the rows an earlier sweep kept, while none of them can have expired.
        var start = SweepCursors.Cursor(after: Int64.min, keptUntil: Int64.max)
        if let saved = sweeps[table.name], cutoff < saved.keptUntil { start = saved }
        var cursor = start
        while true {
            let step = try write("deleting expired \(table.name)") { (c: SQLiteConnection) throws(SQLiteError) in
                let rows = try c.query(table.select, [.int(cursor.after), .int(Int64(batch))]) {
                    (id: $0.int(0), created: $0.int(1), result: $0.optionalInt(2), attempt: $0.optionalInt(3))
                }
                var step = (results: 0, attempts: 0, next: cursor, atHorizon: false, atEnd: rows.count < batch)
                for row in rows {
                    guard row.created <= horizon else {
                        step.atHorizon = true
                        step.atEnd = false
                        break
                    }
                    step.next.after = row.id
                    let resultDue = row.result.map { $0 <= cutoff } ?? false
                    let attemptDue = row.attempt.map { $0 <= cutoff } ?? false
                    let live = [row.result, row.attempt].compactMap { $0 }.filter { $0 > cutoff }
                    if live.isEmpty {
                        try c.run("DELETE FROM \(table.name) WHERE rowid = ?", [.int(row.id)])
                    } else {
                        if resultDue, let clear = table.clearResult { try c.run(clear, [.int(row.id)]) }
                        if attemptDue, let clear = table.clearAttempt { try c.run(clear, [.int(row.id)]) }
                        step.next.keptUntil = min(step.next.keptUntil, live.min() ?? Int64.max)
                    }
                    step.results += resultDue ? 1 : 0
                    step.attempts += attemptDue ? 1 : 0
                }
                return step
            }
            total.results += step.results
            total.attempts += step.attempts
            cursor = step.next
            if step.atHorizon || step.atEnd {
                // Only a row still there past the cursor (where the horizon
                // stopped the walk) keeps new rows' ids past it.
                sweeps[table.name] = step.atHorizon ? cursor : nil
                return total
            }
        }
    }
}
