import Foundation

/// Plugin state: `plugin_state (namespace, key, value)`. Single calls are
/// their own transactions; `beginTransaction` opens a real one.
extension SQLiteBackend: PluginStateStore {
    public func get(namespace: String, key: String) throws(ChorusError) -> String? {
        try read("reading state key '\(key)' of \(namespace)") { (c: SQLiteConnection) throws(SQLiteError) in
            try StateRows.get(c, namespace, key)
        }
    }

    public func set(namespace: String, key: String, value: String) throws(ChorusError) {
        try write("writing state key '\(key)' of \(namespace)", atomic: false) { (c: SQLiteConnection) throws(SQLiteError) in
            try StateRows.set(c, namespace, key, value)
        }
    }

    public func delete(namespace: String, key: String) throws(ChorusError) -> Bool {
        try write("deleting state key '\(key)' of \(namespace)", atomic: false) { (c: SQLiteConnection) throws(SQLiteError) in
            try StateRows.delete(c, namespace, key)
        }
    }

    public func increment(namespace: String, key: String, by delta: Int64) throws(ChorusError) -> Int64 {
        try write("incrementing state key '\(key)' of \(namespace)") { (c: SQLiteConnection) throws(SQLiteError) in
            try StateRows.increment(c, namespace, key, delta)
        }
    }

    public func list(namespace: String, prefix: String) throws(ChorusError) -> [(key: String, value: String)] {
        try read("listing state keys '\(prefix)*' of \(namespace)") { (c: SQLiteConnection) throws(SQLiteError) in
            try StateRows.list(c, namespace, prefix)
        }
    }

    /// Opens a database transaction (BEGIN IMMEDIATE) on a connection pinned
    /// to the calling thread. State writes, and messages it publishes when
    /// `broker` is this backend, commit together in that one transaction; for
    /// another broker the messages are published after the commit. Other
    /// writers (threads and processes) wait while it is open, so keep it short.
    /// Begun on a thread that already has one open, it is a nested savepoint.
    public func beginTransaction(broker: (any Broker)?) throws(ChorusError) -> StateTransaction {
        let local = broker.map { $0 as AnyObject === self } ?? false
        if let pinned = pool.pinnedConnection() {
            do throws(SQLiteError) { try pinned.run("SAVEPOINT chorus_transaction") } catch { throw describe(error, "beginning a nested transaction") }
            return SQLiteStateTransaction(
                backend: self, connection: pinned, key: pool.pin(pinned), nested: true, holdsTurn: false, broker: broker, local: local)
        }
        var retry = 0
        let start = Date()
        while true {
            do throws(SQLiteError) {
                try pool.lockWriter(timeout: max(options.busyTimeout, 0.001))
                let turn = signal?.acquireTurn(limit: options.busyTimeout) ?? false
                let connection: SQLiteConnection
                do throws(SQLiteError) {
                    connection = try pool.checkout(timeout: max(options.busyTimeout, 0.001))
                } catch {
                    if turn { signal?.releaseTurn() }
                    pool.unlockWriter()
                    throw error
                }
                do throws(SQLiteError) {
                    try connection.run("BEGIN IMMEDIATE")
                } catch {
                    pool.checkin(connection)
                    if turn { signal?.releaseTurn() }
                    pool.unlockWriter()
                    throw error
                }
                return SQLiteStateTransaction(
                    backend: self, connection: connection, key: pool.pin(connection), nested: false, holdsTurn: turn, broker: broker,
                    local: local)
            } catch where error.isBusy && busyRetryPause(retry, since: start) != nil {
                Thread.sleep(forTimeInterval: busyRetryPause(retry, since: start) ?? 0)
                retry += 1
            } catch {
                throw describe(error, "beginning a transaction")
            }
        }
    }
}

/// The SQL behind plugin state, shared by single calls and transactions.
enum StateRows {
    static func get(_ c: SQLiteConnection, _ namespace: String, _ key: String) throws(SQLiteError) -> String? {
        try c.queryFirst("SELECT value FROM plugin_state WHERE namespace = ? AND key = ?", [.text(namespace), .text(key)]) { $0.text(0) }
    }

    static func set(_ c: SQLiteConnection, _ namespace: String, _ key: String, _ value: String) throws(SQLiteError) {
        try c.run("""
            INSERT INTO plugin_state (namespace, key, value) VALUES (?, ?, ?)
            ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value
            """, [.text(namespace), .text(key), .text(value)])
    }

    static func delete(_ c: SQLiteConnection, _ namespace: String, _ key: String) throws(SQLiteError) -> Bool {
        try c.run("DELETE FROM plugin_state WHERE namespace = ? AND key = ?", [.text(namespace), .text(key)]) == 1
    }

    /// Read and write inside the caller's transaction, so the add is atomic.
    static func increment(_ c: SQLiteConnection, _ namespace: String, _ key: String, _ delta: Int64) throws(SQLiteError) -> Int64 {
        var current: Int64 = 0
        if let old = try get(c, namespace, key) {
            guard let value = Int64(old) else {
                throw SQLiteError(ChorusError(.invalidState, "state key '\(key)' holds \"\(old.prefix(40))\", not an integer"))
            }
            current = value
        }
        let (sum, overflow) = current.addingReportingOverflow(delta)
        if overflow { throw SQLiteError(ChorusError(.badArguments, "state key '\(key)': \(current) + \(delta) overflows int64")) }
        try set(c, namespace, key, String(sum))
        return sum
    }

    /// Keys starting with `prefix` in ascending (UTF-8 byte) order: an index
    /// range scan from `prefix` up to `prefix` + U+10FFFF (the largest
    /// character), then an exact byte-prefix check.
    static func list(_ c: SQLiteConnection, _ namespace: String, _ prefix: String) throws(SQLiteError) -> [(key: String, value: String)] {
        let rows = try c.query(
            "SELECT key, value FROM plugin_state WHERE namespace = ? AND key >= ? AND key <= ? ORDER BY key",
            [.text(namespace), .text(prefix), .text(prefix + "\u{10FFFF}\u{10FFFF}")]) { (key: $0.text(0), value: $0.text(1)) }
        let bytes = Array(prefix.utf8)
        return Array(rows.prefix { $0.key.utf8.starts(with: bytes) })
    }
}
