/// A database transaction over plugin state (`SQLiteBackend.beginTransaction`).
///
/// It holds this process's write permit, the cross-process write turn, and a connection pinned to the thread
/// that began it, with BEGIN IMMEDIATE issued (a SAVEPOINT when nested). A
/// message published to the backend itself is inserted into `messages` in the
/// same transaction, so the state change and the work commit together or not
/// at all — a crash before COMMIT leaves neither. Messages for another broker
/// are held and published after the commit.
///
/// Not thread-safe: it belongs to the thread that began it (other backend
/// calls on that thread join it). Dropping it without `commit()` rolls back.
final class SQLiteStateTransaction: StateTransaction {
    private let backend: SQLiteBackend
    private let connection: SQLiteConnection
    private let key: ObjectIdentifier
    private let nested: Bool
    /// Whether it holds the backend's cross-process write turn (`CommitSignal`).
    private let holdsTurn: Bool
    private let broker: (any Broker)?
    /// Whether `broker` is `backend`: messages go into this transaction.
    private let local: Bool
    private var held: [(TaskMessage, String)] = []
    private var open = true

    init(
        backend: SQLiteBackend, connection: SQLiteConnection, key: ObjectIdentifier, nested: Bool, holdsTurn: Bool,
        broker: (any Broker)?, local: Bool
    ) {
        self.backend = backend
        self.connection = connection
        self.key = key
        self.nested = nested
        self.holdsTurn = holdsTurn
        self.broker = broker
        self.local = local
    }

    deinit { rollback() }

    private func run<R>(_ doing: @autoclosure () -> String, _ body: (SQLiteConnection) throws(SQLiteError) -> R) throws(ChorusError) -> R {
        guard open else { throw ChorusError(.invalidState, "the transaction is already committed or rolled back") }
        do throws(SQLiteError) {
            return try body(connection)
        } catch {
            throw backend.describe(error, doing())
        }
    }

    func get(namespace: String, key: String) throws(ChorusError) -> String? {
        try run("reading state key '\(key)' of \(namespace)") { (c: SQLiteConnection) throws(SQLiteError) in try StateRows.get(c, namespace, key) }
    }

    func set(namespace: String, key: String, value: String) throws(ChorusError) {
        try run("writing state key '\(key)' of \(namespace)") { (c: SQLiteConnection) throws(SQLiteError) in try StateRows.set(c, namespace, key, value) }
    }

    func delete(namespace: String, key: String) throws(ChorusError) -> Bool {
        try run("deleting state key '\(key)' of \(namespace)") { (c: SQLiteConnection) throws(SQLiteError) in try StateRows.delete(c, namespace, key) }
    }

    func increment(namespace: String, key: String, by delta: Int64) throws(ChorusError) -> Int64 {
        try run("incrementing state key '\(key)' of \(namespace)") { (c: SQLiteConnection) throws(SQLiteError) in
            try c.savepoint { (s: SQLiteConnection) throws(SQLiteError) in try StateRows.increment(s, namespace, key, delta) }
        }
    }

    func list(namespace: String, prefix: String) throws(ChorusError) -> [(key: String, value: String)] {
        try run("listing state keys '\(prefix)*' of \(namespace)") { (c: SQLiteConnection) throws(SQLiteError) in try StateRows.list(c, namespace, prefix) }
    }

    func publish(_ message: TaskMessage, to queue: String) throws(ChorusError) {
        guard open else { throw ChorusError(.invalidState, "the transaction is already committed or rolled back") }
        guard broker != nil else { throw ChorusError(.invalidState, "this transaction has no broker to publish to") }
        guard local else {
            held.append((message, queue))
            return
        }
        let now = SQLiteBackend.micros(backend.clock.now)
        let row = try SQLiteBackend.messageRow(message, queue: queue, due: backend.dueMicros(forEta: message.headers.eta), now: now)
        _ = try run("publishing \(message.taskName) \(message.id) to \(queue)") { (c: SQLiteConnection) throws(SQLiteError) in
            try c.run(SQLiteBackend.insertMessage, row)
            c.commitWords.messages = true
        }
    }

    func commit() throws(ChorusError) {
        guard open else { throw ChorusError(.invalidState, "the transaction is already committed or rolled back") }
        do throws(SQLiteError) {
            try connection.run(nested ? "RELEASE chorus_transaction" : "COMMIT")
        } catch {
            rollback()
            throw backend.describe(error, "committing a transaction")
        }
        // Messages and results written on this thread while it was open
        // (through the transaction or the backend) are visible now: wake
        // whoever waits for them. A nested one leaves that to the outermost.
        var words = CommitWords()
        if !nested {
            words = connection.commitWords
            connection.commitWords = CommitWords()
        }
        end()
        backend.committed(words)
        for (message, queue) in held { try broker?.publish(message, to: queue) }
    }

    func rollback() {
        guard open else { return }
        try? connection.exec(nested ? "ROLLBACK TO chorus_transaction; RELEASE chorus_transaction" : "ROLLBACK")
        if !nested { connection.commitWords = CommitWords() }
        held = []
        end()
    }

    /// Unpins the connection and, for the outermost transaction, returns it
    /// and the write permit.
    private func end() {
        open = false
        backend.pool.unpin(key)
        if !nested {
            backend.pool.checkin(connection)
            if holdsTurn { backend.signal?.releaseTurn() }
            backend.pool.unlockWriter()
        }
    }
}
