import CSQLite

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

    /// Opens (creating if missing) the database at `path`. Opening reads
    /// nothing: a foreign or corrupt file is only detected by the first query.
    init(path: String, create: Bool = true) throws(SQLiteError) {
        var db: OpaquePointer?
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        if create { flags |= SQLITE_OPEN_CREATE }
        let rc = sqlite3_open_v2(path, &db, flags, nil)
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
        let statement: OpaquePointer
        if let cached = statements[sql] {
            statement = cached
        } else {
            var raw: OpaquePointer?
            let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
            guard rc == SQLITE_OK, let raw else { throw failure(rc) }
            statements[sql] = raw
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
