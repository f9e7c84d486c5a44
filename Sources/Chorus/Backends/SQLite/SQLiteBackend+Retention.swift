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
extension SQLiteBackend {
    /// Deletes expired rows as of `now` (default: the clock's now) in batches
    /// of `batchSize` rows, each its own short write transaction, so workers
    /// are never blocked for more than one small batch.
    @discardableResult
    public func purgeExpired(now: Date? = nil, batchSize: Int = 500) throws(ChorusError) -> PurgeReport {
        let date = now ?? clock.now
        let cutoff = Self.micros(date)
        let batch = max(1, batchSize)
        var report = PurgeReport()
        report.results = try purgeOldest("results", cutoff, horizon: Self.micros(date.addingTimeInterval(-options.resultExpires)), batch)
        report.attempts = try purgeOldest("attempts", cutoff, horizon: Self.micros(date.addingTimeInterval(-options.attemptExpires)), batch)
        // Parts go with their chord (ON DELETE CASCADE).
        report.chords = try purgeOldest("chords", cutoff, horizon: Self.micros(date.addingTimeInterval(-options.resultExpires)), batch)
        let silentSince = date.addingTimeInterval(-options.resultExpires).timeIntervalSince1970
        report.workers = try write("forgetting silent workers") { (c: SQLiteConnection) throws(SQLiteError) in
            try c.run("DELETE FROM workers WHERE heartbeat_at < ?", [.double(silentSince)])
        }
        return report
    }

    /// Deletes the expired rows of `table` written up to `horizon`, walking
    /// them in row-id order, `batch` rows a transaction.
    private func purgeOldest(_ table: String, _ cutoff: Int64, horizon: Int64, _ batch: Int) throws(ChorusError) -> Int {
        var total = 0
        // Resume after the rows an earlier sweep kept, while none of them can have expired.
        var start = SweepCursors.Cursor(after: Int64.min, keptUntil: Int64.max)
        if let saved = sweeps[table], cutoff < saved.keptUntil { start = saved }
        var cursor = start
        while true {
            let (deleted, next, atHorizon, atEnd) = try write("deleting expired \(table)") { (c: SQLiteConnection) throws(SQLiteError) in
                let rows = try c.query(
                    "SELECT rowid, created_at, expires_at FROM \(table) WHERE rowid > ? ORDER BY rowid LIMIT ?",
                    [.int(cursor.after), .int(Int64(batch))]) { (id: $0.int(0), created: $0.int(1), expires: $0.int(2)) }
                var deleted = 0
                var next = cursor
                for row in rows {
                    guard row.created <= horizon else { return (deleted, next, true, false) }
                    next.after = row.id
                    if row.expires <= cutoff {
                        deleted += try c.run("DELETE FROM \(table) WHERE rowid = ?", [.int(row.id)])
                    } else {
                        next.keptUntil = min(next.keptUntil, row.expires)
                    }
                }
                return (deleted, next, false, rows.count < batch)
            }
            total += deleted
            cursor = next
            if atHorizon || atEnd {
                // Only a row still there past the cursor (where the horizon
                // stopped the walk) keeps new rows' ids past it.
                sweeps[table] = atHorizon ? cursor : nil
                return total
            }
        }
    }
}
