extension SQLiteConnection {
    /// Runs `body` between BEGIN IMMEDIATE and COMMIT: the write lock is taken
    /// up front, so the transaction never fails half-way to upgrade it. Any
    /// error rolls everything back.
    func immediateTransaction<R>(_ body: (SQLiteConnection) throws(SQLiteError) -> R) throws(SQLiteError) -> R {
        // Prepared once per connection (`run` caches), not parsed per call.
        try run("BEGIN IMMEDIATE")
        do throws(SQLiteError) {
            let value = try body(self)
            try run("COMMIT")
            return value
        } catch {
            if !isAutocommit { try? exec("ROLLBACK") }
            throw error
        }
    }

    /// Runs `body` in a savepoint of the transaction already open on this
    /// connection; on an error only `body`'s changes are undone.
    func savepoint<R>(_ body: (SQLiteConnection) throws(SQLiteError) -> R) throws(SQLiteError) -> R {
        // Prepared once per connection (`run` caches), not parsed per call:
        // every write joining an open transaction passes here.
        try run("SAVEPOINT chorus_nested")
        do throws(SQLiteError) {
            let value = try body(self)
            try run("RELEASE chorus_nested")
            return value
        } catch {
            if !isAutocommit { try? exec("ROLLBACK TO chorus_nested; RELEASE chorus_nested") }
            throw error
        }
    }
}
