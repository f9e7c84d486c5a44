import Foundation

/// Worker registration and `chorus inspect`. There is no cross-process
/// notification: workers heartbeat by writing their row, and `inspect`
/// calls a worker stale when its heartbeat is older than a threshold.
extension SQLiteBackend {
    /// Registers (or re-registers) a worker; its heartbeat is now.
    public func registerWorker(_ worker: WorkerRegistration) throws(ChorusError) {
        let now = clock.now.timeIntervalSince1970
        _ = try write("registering worker \(worker.id)") { (c: SQLiteConnection) throws(SQLiteError) in
            try c.run("""
                INSERT INTO workers (id, hostname, pid, queues, concurrency, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, pid = excluded.pid, queues = excluded.queues,
                    concurrency = excluded.concurrency, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at
                """, [
                    .text(worker.id), .text(worker.hostname), .int(Int64(worker.pid)),
                    .text(JSON.array(worker.queues.map(JSON.string)).serialized()), .int(Int64(worker.concurrency)),
                    .double(worker.startedAt.timeIntervalSince1970), .double(now),
                ])
        }
    }

    /// Records that the worker is alive. False when it is not registered
    /// (never was, unregistered, or purged): register it again.
    @discardableResult
    public func heartbeat(workerID: String) throws(ChorusError) -> Bool {
        let now = clock.now.timeIntervalSince1970
        return try write("recording a heartbeat of worker \(workerID)") { (c: SQLiteConnection) throws(SQLiteError) in
            try c.run("UPDATE workers SET heartbeat_at = ? WHERE id = ?", [.double(now), .text(workerID)]) == 1
        }
    }

    /// Removes a worker at shutdown. False when it was not registered.
    @discardableResult
    public func unregisterWorker(id: String) throws(ChorusError) -> Bool {
        try write("unregistering worker \(id)") { (c: SQLiteConnection) throws(SQLiteError) in
            try c.run("DELETE FROM workers WHERE id = ?", [.text(id)]) == 1
        }
    }

    /// Queued, scheduled and running counts per queue, and the registered
    /// workers, stale when silent for more than `staleAfter` seconds (literal).
    public func inspect(staleAfter: Double = 30) throws(ChorusError) -> InspectReport {
        let nowDate = clock.now
        let now = Self.micros(nowDate)
        let path = self.path
        return try read("inspecting queues and workers") { (c: SQLiteConnection) throws(SQLiteError) in
            // One read transaction: counts and workers from the same snapshot.
            let pinned = !c.isAutocommit
            if !pinned { try c.exec("BEGIN") }
            defer { if !pinned { try? c.exec("COMMIT") } }
            let queues = try c.query("""
                SELECT queue,
                    sum(CASE WHEN status IN (0, 1) AND visible_at <= ?1 THEN 1 ELSE 0 END),
                    sum(CASE WHEN status = 0 AND visible_at > ?1 THEN 1 ELSE 0 END),
                    sum(CASE WHEN status = 1 AND visible_at > ?1 THEN 1 ELSE 0 END),
                    sum(CASE WHEN status = 2 THEN 1 ELSE 0 END)
                FROM messages GROUP BY queue ORDER BY queue
                """, [.int(now)]) {
                InspectReport.QueueCounts(
                    queue: $0.text(0), queued: Int($0.int(1)), scheduled: Int($0.int(2)), running: Int($0.int(3)), dead: Int($0.int(4)))
            }
            let workers = try c.query(
                "SELECT id, hostname, pid, queues, concurrency, started_at, heartbeat_at FROM workers ORDER BY id"
            ) { (r: SQLiteRow) throws(SQLiteError) in
                let names: [String]
                do {
                    names = try JSON(parsing: r.text(3)).arrayValue?.compactMap(\.stringValue) ?? []
                } catch {
                    throw Self.unreadable(path, "worker \(r.text(0))", "\(error)")
                }
                let registration = WorkerRegistration(
                    id: r.text(0), hostname: r.text(1), pid: Int(r.int(2)), queues: names, concurrency: Int(r.int(4)),
                    startedAt: Date(timeIntervalSince1970: r.double(5)))
                let beat = Date(timeIntervalSince1970: r.double(6))
                return InspectReport.Worker(
                    registration: registration, lastHeartbeat: beat, isStale: nowDate.timeIntervalSince(beat) > staleAfter)
            }
            return InspectReport(takenAt: nowDate, queues: queues, workers: workers)
        }
    }
}
