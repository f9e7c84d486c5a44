import CSQLite
import Foundation

/// A value bound to a statement parameter.
enum SQLValue {
    case null
    case int(Int64)
    case double(Double)
    case text(String)

    static func optionalText(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
    static func optionalDouble(_ value: Double?) -> SQLValue { value.map(SQLValue.double) ?? .null }
}

/// One SQLite connection (`sqlite3*`) and its cache of prepared statements.
///
/// Not thread-safe: opened with `SQLITE_OPEN_NOMUTEX` (SQLite's multi-thread
/// mode), so it must be used by one thread at a time. `SQLiteConnectionPool`
/// guarantees that by handing each connection to one caller between
/// `checkout` and `checkin`. Owns its handle and closes it in `deinit`.
final class SQLiteConnection {
    let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]
    /// The same statements by the address and length of their text: SQL
    /// written as a literal keeps one address, so a lookup hashes an integer
    /// instead of the whole text (which showed in profiles). A hit is
    /// confirmed by comparing the texts, which is immediate when they share
    /// storage, so another string at a reused address only misses.
    private var byAddress: [Int: (sql: String, statement: OpaquePointer)] = [:]
    /// Kept alive for the busy handler, which receives it as its context.
    private var busyPolicy: BusyPolicy?
    /// Kept alive for the WAL hook, which receives it as its context.
    var walHookContext: AnyObject?
    /// Whom the open transaction's commit must wake (see `CommitSignal`).
    var commitWords = CommitWords()

    /// Opens (creating if missing) the database at `path`, through
    /// `GatheringVFS` (one write per commit to the log). Opening reads
    /// nothing: a foreign or corrupt file is only detected by the first query.
    init(path: String, create: Bool = true) throws(SQLiteError) {
        var db: OpaquePointer?
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        if create { flags |= SQLITE_OPEN_CREATE }
        let rc = sqlite3_open_v2(path, &db, flags, GatheringVFS.name)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: message)
        }
        sqlite3_extended_result_codes(db, 1)
        handle = db
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Waits for another connection's lock up to `seconds`, sleeping 25 µs,
    /// then longer up to 1 ms, between tries. SQLite's own `busy_timeout`
    /// sleeps whole milliseconds from the start, which caps a contended
    /// database shared by several processes at a few hundred writes a second.
    func setBusyTimeout(_ seconds: Double) {
        let policy = BusyPolicy(limitMicros: Int64(seconds * 1_000_000))
        busyPolicy = policy
        sqlite3_busy_handler(handle, { context, count in
            guard let context else { return 0 }
            let policy = Unmanaged<BusyPolicy>.fromOpaque(context).takeUnretainedValue()
            let n = Int64(count)
            guard BusyPolicy.waited(afterTries: n) < policy.limitMicros else { return 0 }
            usleep(UInt32(BusyPolicy.delay(try: n)))
            return 1
        }, Unmanaged.passUnretained(policy).toOpaque())
    }

    /// The error SQLite reports for `rc` on this connection.
    func failure(_ rc: Int32) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)))
    }

    /// Whether no explicit transaction is open (SQLite's autocommit mode).
    var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs one or more statements without parameters or results (schema, PRAGMAs, BEGIN/COMMIT).
    func exec(_ sql: String) throws(SQLiteError) {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw failure(rc) }
    }

    /// Runs a statement for its effect and returns the number of changed rows.
    @discardableResult
    func run(_ sql: String, _ values: [SQLValue] = []) throws(SQLiteError) -> Int {
        let statement = try prepared(sql, values)
        defer { sqlite3_reset(statement) }
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return changes }
            if rc != SQLITE_ROW { throw failure(rc) }
        }
    }

    /// Runs a query and maps each row.
    func query<R>(_ sql: String, _ values: [SQLValue] = [], _ map: (SQLiteRow) throws(SQLiteError) -> R) throws(SQLiteError) -> [R] {
        let statement = try prepared(sql, values)
        defer { sqlite3_reset(statement) }
        var rows: [R] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return rows }
            guard rc == SQLITE_ROW else { throw failure(rc) }
            rows.append(try map(SQLiteRow(statement: statement)))
        }
    }

    /// The first row of a query, mapped, or nil when there is none.
    func queryFirst<R>(_ sql: String, _ values: [SQLValue] = [], _ map: (SQLiteRow) throws(SQLiteError) -> R) throws(SQLiteError) -> R? {
        let statement = try prepared(sql, values)
        defer { sqlite3_reset(statement) }
        let rc = sqlite3_step(statement)
        if rc == SQLITE_DONE { return nil }
        guard rc == SQLITE_ROW else { throw failure(rc) }
        return try map(SQLiteRow(statement: statement))
    }

    /// The cached statement for `sql`, reset and bound to `values`.
    private func prepared(_ sql: String, _ values: [SQLValue]) throws(SQLiteError) -> OpaquePointer {
        let address = sql.utf8.withContiguousStorageIfAvailable { Int(bitPattern: $0.baseAddress) &+ $0.count }
        let statement: OpaquePointer
        if let address, let hit = byAddress[address], hit.sql == sql {
            statement = hit.statement
        } else if let cached = statements[sql] {
            statement = cached
            if let address { byAddress[address] = (sql, cached) }
        } else {
            var raw: OpaquePointer?
            let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
            guard rc == SQLITE_OK, let raw else { throw failure(rc) }
            statements[sql] = raw
            if let address { byAddress[address] = (sql, raw) }
            statement = raw
        }
        sqlite3_clear_bindings(statement)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .int(let v): rc = sqlite3_bind_int64(statement, index, v)
            case .double(let v): rc = sqlite3_bind_double(statement, index, v)
            case .text(let v): rc = sqlite3_bind_text(statement, index, v, Int32(v.utf8.count), chorus_sqlite_transient())
            }
            guard rc == SQLITE_OK else { throw failure(rc) }
        }
        return statement
    }
}

/// The current row of a stepping statement; valid only inside the mapping closure.
struct SQLiteRow {
    let statement: OpaquePointer

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }
    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }
    func optionalInt(_ column: Int32) -> Int64? { isNull(column) ? nil : int(column) }
}

/// How long the busy handler of one connection may wait.
final class BusyPolicy {
    let limitMicros: Int64
    init(limitMicros: Int64) { self.limitMicros = limitMicros }

    /// Microseconds to sleep before try `n + 1`: 25, 50, ... up to 1000.
    static func delay(try n: Int64) -> Int64 { min(1000, 25 * (n + 1)) }

    /// Microseconds slept before try `n` (the sum of the first `n` delays).
    static func waited(afterTries n: Int64) -> Int64 {
        if n <= 40 { return 25 * n * (n + 1) / 2 }
        return 25 * 40 * 41 / 2 + (n - 40) * 1000
    }
}
