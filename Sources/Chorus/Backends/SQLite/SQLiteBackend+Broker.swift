import Foundation

/// The broker: one `messages` table. A message waits (status 0) until its due
/// time, is then claimable, and when claimed with a lease is marked leased
/// (status 1) with the lease deadline in the same `visible_at` column.
///
/// A scheduled message (eta in the future) is only ever WAITING: it is never
/// leased until it is due and claimed, so however long its countdown, no
/// lease can lapse under it (Celery's visibility-timeout trap on Redis).
/// A leased message whose deadline passes is claimable again, ahead of its
/// queue's waiting messages, with `redelivered` set. A message that cannot be
/// decoded is set aside as dead (status 2), never deleted.
extension SQLiteBackend: Broker {
    public func publish(_ message: TaskMessage, to queue: String) throws(ChorusError) {
        let row = try Self.messageRow(message, queue: queue, due: dueMicros(forEta: message.headers.eta), now: Self.micros(clock.now))
        _ = try write("publishing \(message.taskName) \(message.id) to \(queue)") { (c: SQLiteConnection) throws(SQLiteError) in
            try c.run(Self.insertMessage, row)
        }
        if pool.pinnedConnection() == nil { wake.notify() }
    }

    static let insertMessage = """
        INSERT INTO messages (queue, task_id, task_name, headers, body, visible_at, published_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        """

    static func messageRow(_ message: TaskMessage, queue: String, due: Int64, now: Int64) throws(ChorusError) -> [SQLValue] {
        guard !queue.isEmpty else { throw ChorusError(.invalidInput, "cannot publish \(message.id): the queue name is empty") }
        return [
            .text(queue), .text(message.id), .text(message.taskName), .text(message.headers.json.serialized()),
            .text(message.bodyText), .int(due), .int(now),
        ]
    }

    public func claim(from queues: [String], mode: ClaimMode, timeout: Double) throws(ChorusError) -> Delivery? {
        guard !queues.isEmpty else { return nil }
        return try poll(timeout: timeout) { () throws(ChorusError) -> Delivery? in try claimOnce(from: queues, mode: mode) }
    }

    /// One look: a cheap read first, so idle workers polling an empty queue
    /// never take the write lock; then an atomic claim in a write transaction.
    private func claimOnce(from queues: [String], mode: ClaimMode) throws(ChorusError) -> Delivery? {
        let now = Self.micros(clock.now)
        let doing = "claiming from \(queues.joined(separator: ","))"
        let candidate = try read(doing) { (c: SQLiteConnection) throws(SQLiteError) in try Self.firstClaimable(c, queues, now) { $0.int(0) } }
        guard candidate != nil else { return nil }
        let tag = UUID().uuidString.lowercased()
        var leaseUntil: Int64?
        if case .lease(let seconds) = mode { leaseUntil = wallMicros(afterRuntimeSeconds: seconds) }
        let path = self.path
        let claimed = try write(doing) { (c: SQLiteConnection) throws(SQLiteError) -> Result<ClaimedRow, ChorusError>? in
            let found = try Self.firstClaimable(c, queues, now) { r in
                (id: r.int(0), queue: r.text(1), headers: r.text(2), body: r.text(3), leased: r.int(4) == 1,
                 count: Int(r.int(5)), redelivered: r.int(6) != 0)
            }
            guard let row = found else { return nil }
            let id = row.id
            let message: TaskMessage
            do {
                message = try TaskMessage(headers: JSON(parsing: row.headers), bodyText: row.body)
            } catch {
                // It can never run, and left in place it would block the queue
                // head forever: set it aside (status 2) for an operator.
                try c.run("UPDATE messages SET status = 2, lease_tag = NULL WHERE id = ?", [.int(id)])
                return .failure(ChorusError(.backend, "database \(path) holds an unreadable message (row \(id)) on queue \(row.queue) (\(error)); it was set aside as dead and the queue goes on"))
            }
            let claimed = ClaimedRow(message: message, queue: row.queue, deliveryCount: row.count + 1, redelivered: row.leased || row.redelivered)
            if let leaseUntil {
                try c.run(
                    "UPDATE messages SET status = 1, visible_at = ?, delivery_count = ?, redelivered = ?, lease_tag = ? WHERE id = ?",
                    [.int(leaseUntil), .int(Int64(claimed.deliveryCount)), .int(claimed.redelivered ? 1 : 0), .text(tag), .int(id)])
            } else {
                try c.run("DELETE FROM messages WHERE id = ?", [.int(id)])
            }
            return .success(claimed)
        }
        guard let claimed else { return nil }
        let row = try claimed.get()
        var leaseDeadline: MonotonicInstant?
        if case .lease(let seconds) = mode { leaseDeadline = scale.deadline(afterSeconds: seconds, clock: clock) }
        return Delivery(
            tag: tag, message: row.message, queue: row.queue, deliveryCount: row.deliveryCount,
            redelivered: row.redelivered, leaseDeadline: leaseDeadline)
    }

    private struct ClaimedRow {
        let message: TaskMessage
        let queue: String
        let deliveryCount: Int
        let redelivered: Bool
    }

    /// The message `claim` takes now, mapped by `map` from the columns (id,
    /// queue, headers, body, status, delivery_count, redelivered): in the first
    /// queue that has one, a lapsed lease (earliest deadline) first, else the
    /// oldest due waiting message.
    private static func firstClaimable<R>(
        _ c: SQLiteConnection, _ queues: [String], _ now: Int64, _ map: (SQLiteRow) throws(SQLiteError) -> R
    ) throws(SQLiteError) -> R? {
        for queue in queues {
            for status in [Int64(1), 0] {
                if let found = try c.queryFirst(
                    """
                    SELECT id, queue, headers, body, status, delivery_count, redelivered FROM messages
                    WHERE queue = ? AND status = ? AND visible_at <= ? ORDER BY visible_at, id LIMIT 1
                    """, [.text(queue), .int(status), .int(now)], map)
                {
                    return found
                }
            }
        }
        return nil
    }

    @discardableResult
    public func ack(_ delivery: Delivery) throws(ChorusError) -> Bool {
        try write("acknowledging \(delivery.message.id)") { (c: SQLiteConnection) throws(SQLiteError) in
            try c.run("DELETE FROM messages WHERE lease_tag = ? AND status = 1", [.text(delivery.tag)]) == 1
        }
    }

    @discardableResult
    public func reject(_ delivery: Delivery, requeue: Bool) throws(ChorusError) -> Bool {
        let now = Self.micros(clock.now)
        let done = try write("rejecting \(delivery.message.id)") { (c: SQLiteConnection) throws(SQLiteError) -> Bool in
            if requeue {
                // A new row id puts it at the back of its queue, due now.
                let copied = try c.run("""
                    INSERT INTO messages (queue, task_id, task_name, headers, body, visible_at, published_at, delivery_count, redelivered)
                    SELECT queue, task_id, task_name, headers, body, ?, published_at, delivery_count, redelivered
                    FROM messages WHERE lease_tag = ? AND status = 1
                    """, [.int(now), .text(delivery.tag)])
                guard copied == 1 else { return false }
            }
            return try c.run("DELETE FROM messages WHERE lease_tag = ? AND status = 1", [.text(delivery.tag)]) == 1
        }
        if done && requeue { wake.notify() }
        return done
    }

    @discardableResult
    public func extendLease(_ delivery: Delivery, seconds: Double) throws(ChorusError) -> Bool {
        let until = wallMicros(afterRuntimeSeconds: seconds)
        return try write("extending the lease of \(delivery.message.id)") { (c: SQLiteConnection) throws(SQLiteError) in
            try c.run("UPDATE messages SET visible_at = ? WHERE lease_tag = ? AND status = 1", [.int(until), .text(delivery.tag)]) == 1
        }
    }
}
