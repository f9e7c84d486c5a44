import CSQLite
import Foundation

/// Checking a database for damage: a cheap probe at every open, a full check
/// on demand.
///
/// `PRAGMA quick_check` reads every page (about a second per GB), so running
/// it at every open made each `chorus result` or worker start on a large
/// database wait seconds. An open instead probes the file's structure: the
/// header and schema (read by the ownership check), then the root page and
/// first leaf of every table and index. That takes a few milliseconds at any
/// size and refuses a file whose header, schema or b-tree roots are damaged.
/// Damage deeper in a b-tree surfaces when that page is read: the call fails
/// with the same one-line "corrupt" error and its transaction is rolled back,
/// so nothing is lost. `checkIntegrity()` (or `Options.fullCheckOnOpen`)
/// runs the full check.
extension SQLiteBackend {
    /// Runs `PRAGMA quick_check` over the whole file: every page, every index
    /// entry. Throws `.backend` ("corrupt ... restore it from a backup") when
    /// it finds damage. Takes about a second per GB; readers and writers go
    /// on meanwhile (it reads one snapshot).
    public func checkIntegrity() throws(ChorusError) {
        try read("checking its integrity") { (c: SQLiteConnection) throws(SQLiteError) in try Self.fullCheck(c) }
    }

    static func fullCheck(_ c: SQLiteConnection) throws(SQLiteError) {
        let verdict = try c.queryFirst("PRAGMA quick_check(1)") { $0.text(0) } ?? "ok"
        guard verdict == "ok" else {
            throw SQLiteError(code: SQLITE_CORRUPT, message: "integrity check: \(verdict.prefix(120))")
        }
    }

    /// Reads the first row of every table and the first entry of every index
    /// (through its root page), in one read transaction. Throws SQLITE_CORRUPT
    /// (or NOTADB) when a page on the way is damaged. A partial index is read
    /// under its own condition; an index SQLite cannot be made to scan is skipped.
    static func probeBTrees(_ c: SQLiteConnection) throws(SQLiteError) {
        try c.exec("BEGIN")
        defer { if !c.isAutocommit { try? c.exec("ROLLBACK") } }
        let objects = try c.query(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('table', 'index') AND rootpage > 0"
        ) { (type: $0.text(0), name: $0.text(1), table: $0.text(2), sql: $0.optionalText(3)) }
        for object in objects {
            let sql: String
            if object.type == "table" {
                sql = "SELECT * FROM \(quoted(object.table)) LIMIT 1"
            } else if object.name.hasPrefix("sqlite_autoindex_") {
                // An automatic index (UNIQUE, PRIMARY KEY) cannot be named in
                // INDEXED BY; a lookup on its first column goes through it.
                let first = try c.queryFirst("PRAGMA index_info(\(quoted(object.name)))") { (r: SQLiteRow) -> String? in r.optionalText(2) }
                guard let first, let column = first else { continue }
                sql = "SELECT 1 FROM \(quoted(object.table)) WHERE \(quoted(column)) = '' LIMIT 1"
            } else {
                let condition = object.sql.flatMap(partialCondition) ?? "1"
                sql = "SELECT 1 FROM \(quoted(object.table)) INDEXED BY \(quoted(object.name)) WHERE \(condition) LIMIT 1"
            }
            var statement: OpaquePointer?
            let prepared = sqlite3_prepare_v2(c.handle, sql, -1, &statement, nil)
            defer { sqlite3_finalize(statement) }
            guard prepared == SQLITE_OK else {
                // A query SQLite cannot plan through the index is skipped.
                let primary = prepared & 0xff
                if primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB { throw c.failure(prepared) }
                continue
            }
            let rc = sqlite3_step(statement)
            guard rc == SQLITE_ROW || rc == SQLITE_DONE else { throw c.failure(rc) }
        }
    }

    /// `"name"`, with embedded quotes doubled.
    private static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// The condition of a partial index (the text after its last WHERE), or nil.
    private static func partialCondition(_ sql: String) -> String? {
        guard let range = sql.range(of: " WHERE ", options: [.caseInsensitive, .backwards]) else { return nil }
        return "(" + sql[range.upperBound...] + ")"
    }
}
