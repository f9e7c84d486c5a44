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
///
/// `delivery_count` holds the deliveries counted so far: `claim` counts at
/// claim time; `prefetch` leaves it alone and `begin` counts when the holder
/// starts the task, so a prefetched message whose holder died before starting
/// it comes back with the same count.
extension SQLiteBackend: Broker {
    public func publish(_ message: TaskMessage, to queue: String) throws(ChorusError) {
        let row = try Self.messageRow(message, queue: queue, due: dueMicros(forEta: message.headers.eta), now: Self.micros(clock.now))
        _ = try write("publishing \(message.taskName) \(message.id) to \(queue)", atomic: false) { (c: SQLiteConnection) throws(SQLiteError) in
            try c.run(Self.insertMessage, row)
            c.commitWords.messages = true
        }
    }

    /// One transaction for the lot: all of a group's or chord's members are
    /// queued, or none (a write per member cost a commit each).
    public func publish(_ batch: [(message: TaskMessage, queue: String)]) throws(ChorusError) {
        guard !batch.isEmpty else { return }
        let now = Self.micros(clock.now)
        var rows: [[SQLValue]] = []
        rows.reserveCapacity(batch.count)
        for (message, queue) in batch {
            rows.append(try Self.messageRow(message, queue: queue, due: dueMicros(forEta: message.headers.eta), now: now))
        }
        try write("publishing \(batch.count) messages (\(batch[0].message.taskName) \(batch[0].message.id) first)") {
            (c: SQLiteConnection) throws(SQLiteError) in
            for row in rows { try c.run(Self.insertMessage, row) }
            c.commitWords.messages = true
        }
    }

    static let insertMessage = """
        INSERT INTO messages (queue, task_id, task_name, headers, body, visible_at, published_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        """

    static func messageRow(_ message: TaskMessage, queue: String, due: Int64, now: Int64) throws(ChorusError) -> [SQLValue] {
        guard !queue.isEmpty else { throw ChorusError(.invalidInput, "cannot publish \(message.id): the queue name is empty") }
        return [
            .text(queue), .text(message.id), .text(message.taskName), .text(message.headers.serializedJSON()),
            .text(message.bodyText), .int(due), .int(now),
        ]
    }

    public func claim(from queues: [String], mode: ClaimMode, timeout: Double) throws(ChorusError) -> Delivery? {
        guard !queues.isEmpty else { return nil }
        var leaseSeconds: Double?
        if case .lease(let seconds) = mode { leaseSeconds = seconds }
        return try pollForMessages(queues, timeout: timeout) { () throws(ChorusError) -> Delivery? in
            try claimNow(from: queues, limit: 1, leaseSeconds: leaseSeconds, counting: true).first
        }
    }

    public func prefetch(from queues: [String], leaseSeconds: Double, limit: Int, timeout: Double) throws(ChorusError) -> [Delivery] {
        guard !queues.isEmpty, limit >= 1 else { return [] }
        let claimed = try pollForMessages(queues, timeout: timeout) { () throws(ChorusError) -> [Delivery]? in
            let batch = try claimNow(from: queues, limit: limit, leaseSeconds: leaseSeconds, counting: false)
            return batch.isEmpty ? nil : batch
        }
        return claimed ?? []
    }

    public func waitForDue(in queues: [String], timeout: Double) throws(ChorusError) -> Bool? {
        guard !queues.isEmpty else { return false }
        return try pollForMessages(queues, timeout: timeout) { () throws(ChorusError) -> Bool? in true } ?? false
    }

    /// Polls until a message of `queues` is claimed by `attempt`. Before each
    /// attempt a cheap read (no write lock) looks for a claimable message; if
    /// there is none, it says when the next one falls due (an eta, or a lease
    /// running out), so the wait ends then. Inside a transaction this thread
    /// holds, it claims at once and never waits.
    private func pollForMessages<R>(
        _ queues: [String], timeout: Double, _ attempt: () throws(ChorusError) -> R?
    ) throws(ChorusError) -> R? {
        if pool.pinnedConnection() != nil { return try attempt() }
        let doing = "claiming from \(queues.joined(separator: ","))"
        return try poll(timeout: timeout, on: CommitSignal.messages) { () throws(ChorusError) -> PollStep<R> in
            let now = Self.micros(clock.now)
            let next = try read(doing) { (c: SQLiteConnection) throws(SQLiteError) in try Self.earliestVisible(c, queues) }
            guard let next else { return .wait(untilMicros: nil) }
            guard next <= now else { return .wait(untilMicros: next) }
            if let value = try attempt() { return .done(value) }
            return .wait(untilMicros: nil)
        }
    }

    /// The earliest `visible_at` among the waiting and leased messages of
    /// `queues` (a due time or a lease deadline), or nil when they hold none.
    private static func earliestVisible(_ c: SQLiteConnection, _ queues: [String]) throws(SQLiteError) -> Int64? {
        var earliest: Int64?
        for queue in queues {
            for status in [Int64(1), 0] {
                if let at = try c.queryFirst(
                    "SELECT visible_at FROM messages WHERE queue = ? AND status = ? ORDER BY visible_at LIMIT 1",
                    [.text(queue), .int(status)], { $0.int(0) })
                {
                    earliest = min(earliest ?? at, at)
                }
            }
        }
        return earliest
    }

    /// Claims up to `limit` due messages in one write transaction (a
    /// savepoint of this thread's open transaction, if any): leased until
    /// `leaseSeconds` from now, or deleted when `leaseSeconds` is nil.
    /// `counting` adds the delivery to `delivery_count` now; otherwise `begin`
    /// does.
    ///
    /// Leased messages are decoded after the commit, outside the write lock
    /// (decoding costs more than the claim itself). One that cannot be
    /// decoded is set aside (status 2) and this throws; the others of the
    /// batch are given back uncounted, and the next claim takes them.
    private func claimNow(from queues: [String], limit: Int, leaseSeconds: Double?, counting: Bool) throws(ChorusError) -> [Delivery] {
        let now = Self.micros(clock.now)
        let doing = "claiming from \(queues.joined(separator: ","))"
        guard let leaseSeconds else { return try removeNow(from: queues, now: now, doing: doing) }
        let leaseUntil = wallMicros(afterRuntimeSeconds: leaseSeconds)
        // Taken before the claim: the holder's view of its lease errs on the short side.
        let leaseDeadline = scale.deadline(afterSeconds: leaseSeconds, clock: clock)
        let tags = self.tags
        let claimed = try write(doing) { (c: SQLiteConnection) throws(SQLiteError) -> [(row: ClaimableRow, tag: String)] in
            let rows = try Self.claimable(c, queues, now, limit: limit)
            guard !rows.isEmpty else { return [] }
            let batch = tags.nextBatch()
            // One statement leases them all (a statement per row was a
            // third of the claim's time under the write lock); each tag is
            // `DeliveryTags.tag(row:batch:)`, built in SQL.
            let ids = JSON.array(rows.map { .int($0.id) }).serialized()
            try c.run(Self.leaseRows, [.int(leaseUntil), .int(counting ? 1 : 0), .text("-" + batch), .text(ids)])
            return rows.map { ($0, DeliveryTags.tag(row: $0.id, batch: batch)) }
        }
        var deliveries: [Delivery] = []
        deliveries.reserveCapacity(claimed.count)
        for (row, tag) in claimed {
            do {
                let message = try TaskMessage(headers: JSON(parsing: row.headers), bodyText: row.body)
                deliveries.append(Delivery(
                    tag: tag, message: message, queue: row.queue, deliveryCount: row.count + 1, redelivered: row.redeliveredNow,
                    leaseDeadline: leaseDeadline))
            } catch {
                let dead = ChorusError(.backend, "database \(path) holds an unreadable message (row \(row.id)) on queue \(row.queue) (\(error)); it was set aside as dead and the queue goes on")
                // It can never run, and left in place it would block the queue
                // head forever: set it aside (status 2) for an operator.
                try write("setting aside message row \(row.id)") { (c: SQLiteConnection) throws(SQLiteError) in
                    try c.run("UPDATE messages SET status = 2, lease_tag = NULL WHERE id = ? AND lease_tag = ?", [.int(row.id), .text(tag)])
                    for (other, otherTag) in claimed where other.id != row.id {
                        try Self.giveBack(c, row: other.id, tag: otherTag, redelivered: other.redeliveredNow)
                    }
                }
                throw dead
            }
        }
        return deliveries
    }

    /// Leases the rows whose ids ?4 (a JSON array) lists until ?1, adding ?2
    /// to their delivery count, tagged `<id>?3`; a lapsed lease (status 1)
    /// marks its message redelivered.
    private static let leaseRows = """
        UPDATE messages SET status = 1, visible_at = ?1, delivery_count = delivery_count + ?2,
            redelivered = CASE WHEN status = 1 THEN 1 ELSE redelivered END, lease_tag = id || ?3
        WHERE id IN (SELECT value FROM json_each(?4))
        """

    /// `claimNow` without a lease: decoded inside the transaction, since a
    /// deleted message could no longer be set aside.
    private func removeNow(from queues: [String], now: Int64, doing: String) throws(ChorusError) -> [Delivery] {
        let path = self.path
        let claimed = try write(doing) { (c: SQLiteConnection) throws(SQLiteError) -> Result<[Delivery], ChorusError> in
            guard let row = try Self.claimable(c, queues, now, limit: 1).first else { return .success([]) }
            let message: TaskMessage
            do {
                message = try TaskMessage(headers: JSON(parsing: row.headers), bodyText: row.body)
            } catch {
                try c.run("UPDATE messages SET status = 2, lease_tag = NULL WHERE id = ?", [.int(row.id)])
                return .failure(ChorusError(.backend, "database \(path) holds an unreadable message (row \(row.id)) on queue \(row.queue) (\(error)); it was set aside as dead and the queue goes on"))
            }
            try c.run("DELETE FROM messages WHERE id = ?", [.int(row.id)])
            return .success([Delivery(
                tag: DeliveryTags.tag(row: row.id, batch: "removed"), message: message, queue: row.queue, deliveryCount: row.count + 1,
                redelivered: row.redeliveredNow, leaseDeadline: nil)])
        }
        return try claimed.get()
    }

    private struct ClaimableRow {
        let id: Int64
        let queue: String
        let headers: String
        let body: String
        let leased: Bool
        let count: Int
        let redelivered: Bool

        /// Whether this delivery is a redelivery: an earlier lease lapsed.
        var redeliveredNow: Bool { leased || redelivered }
    }

    /// Up to `limit` messages `claim` takes now, in order: queue by queue in
    /// the order given, lapsed leases (earliest deadline first) before due
    /// waiting messages (oldest due first).
    private static func claimable(_ c: SQLiteConnection, _ queues: [String], _ now: Int64, limit: Int) throws(SQLiteError) -> [ClaimableRow] {
        var rows: [ClaimableRow] = []
        for queue in queues {
            for status in [Int64(1), 0] {
                let wanted = limit - rows.count
                guard wanted > 0 else { return rows }
                rows += try c.query(
                    """
                    SELECT id, queue, headers, body, status, delivery_count, redelivered FROM messages
                    WHERE queue = ? AND status = ? AND visible_at <= ? ORDER BY visible_at, id LIMIT ?
                    """, [.text(queue), .int(status), .int(now), .int(Int64(wanted))]
                ) { r in
                    ClaimableRow(
                        id: r.int(0), queue: r.text(1), headers: r.text(2), body: r.text(3), leased: r.int(4) == 1,
                        count: Int(r.int(5)), redelivered: r.int(6) != 0)
                }
            }
        }
        return rows
    }

    @discardableResult
    public func ack(_ delivery: Delivery) throws(ChorusError) -> Bool {
        guard let row = DeliveryTags.row(of: delivery.tag) else { return false }
        return try write("acknowledging \(delivery.message.id)", atomic: false) { (c: SQLiteConnection) throws(SQLiteError) in
            try c.run("DELETE FROM messages WHERE id = ? AND lease_tag = ? AND status = 1", [.int(row), .text(delivery.tag)]) == 1
        }
    }

    @discardableResult
    public func reject(_ delivery: Delivery, requeue: Bool) throws(ChorusError) -> Bool {
        guard let row = DeliveryTags.row(of: delivery.tag) else { return false }
        let now = Self.micros(clock.now)
        let done = try write("rejecting \(delivery.message.id)") { (c: SQLiteConnection) throws(SQLiteError) -> Bool in
            if requeue {
                // A new row id puts it at the back of its queue, due now.
                let copied = try c.run("""
                    INSERT INTO messages (queue, task_id, task_name, headers, body, visible_at, published_at, delivery_count, redelivered)
                    SELECT queue, task_id, task_name, headers, body, ?, published_at, delivery_count, redelivered
                    FROM messages WHERE id = ? AND lease_tag = ? AND status = 1
                    """, [.int(now), .int(row), .text(delivery.tag)])
                guard copied == 1 else { return false }
                c.commitWords.messages = true
            }
            return try c.run("DELETE FROM messages WHERE id = ? AND lease_tag = ? AND status = 1", [.int(row), .text(delivery.tag)]) == 1
        }
        return done
    }

    @discardableResult
    public func extendLease(_ delivery: Delivery, seconds: Double) throws(ChorusError) -> Bool {
        guard let row = DeliveryTags.row(of: delivery.tag) else { return false }
        let until = wallMicros(afterRuntimeSeconds: seconds)
        return try write("extending the lease of \(delivery.message.id)", atomic: false) { (c: SQLiteConnection) throws(SQLiteError) in
            try c.run(
                "UPDATE messages SET visible_at = ? WHERE id = ? AND lease_tag = ? AND status = 1",
                [.int(until), .int(row), .text(delivery.tag)]) == 1
        }
    }

    @discardableResult
    public func begin(_ delivery: Delivery, leaseSeconds seconds: Double) throws(ChorusError) -> Bool {
        guard let row = DeliveryTags.row(of: delivery.tag) else { return false }
        let until = wallMicros(afterRuntimeSeconds: seconds)
        return try write("starting \(delivery.message.id)", atomic: false) { (c: SQLiteConnection) throws(SQLiteError) in
            try c.run(
                "UPDATE messages SET visible_at = ?, delivery_count = ? WHERE id = ? AND lease_tag = ? AND status = 1",
                [.int(until), .int(Int64(delivery.deliveryCount)), .int(row), .text(delivery.tag)]) == 1
        }
    }

    /// Waiting again, due since the epoch: ahead of everything queued, in
    /// row (publish) order, with the delivery uncounted as `prefetch` left it.
    public func release(_ deliveries: [Delivery]) throws(ChorusError) {
        guard !deliveries.isEmpty else { return }
        try write("giving back \(deliveries.count) prefetched messages") { (c: SQLiteConnection) throws(SQLiteError) in
            c.commitWords.messages = true
            for delivery in deliveries {
                guard let row = DeliveryTags.row(of: delivery.tag) else { continue }
                try Self.giveBack(c, row: row, tag: delivery.tag, redelivered: delivery.redelivered)
            }
        }
    }

    private static func giveBack(_ c: SQLiteConnection, row: Int64, tag: String, redelivered: Bool) throws(SQLiteError) {
        try c.run(
            "UPDATE messages SET status = 0, visible_at = 0, redelivered = ?, lease_tag = NULL WHERE id = ? AND lease_tag = ? AND status = 1",
            [.int(redelivered ? 1 : 0), .int(row), .text(tag)])
        c.commitWords.messages = true
    }
}

/// Lease tags: `<row id>-<backend>-<batch>`. The row id lets every settling
/// statement find its row by primary key; the backend part (random per
/// backend object) and the claim counter make a tag unique across processes
/// and redeliveries without a random draw per claim.
///
/// `@unchecked Sendable`: `counter` is only touched under `lock`.
final class DeliveryTags: @unchecked Sendable {
    private let lock = NSLock()
    private var counter: UInt64 = 0
    private let prefix = String(UInt64.random(in: 0..<(1 << 48)), radix: 36)

    /// The tag part shared by the deliveries of one claim.
    func nextBatch() -> String {
        lock.lock()
        counter &+= 1
        let n = counter
        lock.unlock()
        return prefix + "-" + String(n, radix: 36)
    }

    static func tag(row: Int64, batch: String) -> String { String(row) + "-" + batch }

    /// The row id a tag names, or nil for a tag this backend never made.
    static func row(of tag: String) -> Int64? {
        guard let dash = tag.utf8.firstIndex(of: UInt8(ascii: "-")) else { return nil }
        return Int64(Substring(tag.utf8[..<dash]))
    }
}
