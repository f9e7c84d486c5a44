import CSQLite

/// A failure inside the SQLite layer: SQLite's result code and message, or a
/// `ChorusError` raised by backend logic running inside a transaction (an
/// integer overflow in `increment`, a malformed stored row). The backend turns
/// it into one `ChorusError(.backend, ...)` line naming the database path and
/// what it was doing (`SQLiteBackend.describe`).
struct SQLiteError: Error {
    /// SQLite's (extended) result code; 0 when `chorus` is set.
    var code: Int32
    var message: String
    /// A logic error to rethrow as is.
    var chorus: ChorusError?

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
        self.chorus = nil
    }

    init(_ error: ChorusError) {
        self.code = 0
        self.message = error.message
        self.chorus = error
    }

    /// The primary result code (`SQLITE_BUSY` for `SQLITE_BUSY_SNAPSHOT`, ...).
    var primary: Int32 { code & 0xff }

    /// Another connection holds a lock this one needs: worth retrying.
    var isBusy: Bool { chorus == nil && (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) }
}
