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
        report.results = try purge("results", "rowid IN (SELECT rowid FROM results WHERE expires_at <= ?1 LIMIT ?2)", cutoff, batch)
        report.attempts = try purge("attempts", "seq IN (SELECT seq FROM attempts WHERE expires_at <= ?1 LIMIT ?2)", cutoff, batch)
        // Parts go with their chord (ON DELETE CASCADE).
        report.chords = try purge("chords", "rowid IN (SELECT rowid FROM chords WHERE expires_at <= ?1 LIMIT ?2)", cutoff, batch)
        let silentSince = date.addingTimeInterval(-options.resultExpires).timeIntervalSince1970
        report.workers = try write("forgetting silent workers") { (c: SQLiteConnection) throws(SQLiteError) in
            try c.run("DELETE FROM workers WHERE heartbeat_at < ?", [.double(silentSince)])
        }
        return report
    }

    private func purge(_ table: String, _ condition: String, _ cutoff: Int64, _ batch: Int) throws(ChorusError) -> Int {
        var total = 0
        while true {
            let deleted = try write("deleting expired \(table)") { (c: SQLiteConnection) throws(SQLiteError) in
                try c.run("DELETE FROM \(table) WHERE \(condition)", [.int(cutoff), .int(Int64(batch))])
            }
            total += deleted
            if deleted < batch { return total }
        }
    }
}
