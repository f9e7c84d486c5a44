import CSQLite

extension SQLiteBackend {
    /// The one-line `ChorusError` for a failure while `doing` something: what
    /// went wrong with which file, and what the operator can do about it.
    func describe(_ error: SQLiteError, _ doing: String) -> ChorusError {
        if let chorus = error.chorus { return chorus }
        return Self.describe(error, doing, path: path, busyTimeout: options.busyTimeout)
    }

    static func describe(_ error: SQLiteError, _ doing: String, path: String, busyTimeout: Double) -> ChorusError {
        let detail = error.message.replacingOccurrences(of: "\n", with: " ")
        let text: String
        switch error.primary {
        case SQLITE_FULL:
            text = "database \(path) is full (disk full or size limit reached) while \(doing); nothing was written — free disk space or raise the limit, then retry"
        case SQLITE_BUSY, SQLITE_LOCKED:
            text = "database \(path) is locked (\(detail); waited \(busyTimeout) s) while \(doing); another process or transaction holds it — retry, or stop the process holding it"
        case SQLITE_NOTADB:
            text = "\(path) is not a SQLite database, refusing to use it (\(detail)); pass another --db path or move the file away — Chorus never overwrites it"
        case SQLITE_CORRUPT:
            text = "database \(path) is corrupt (\(detail)) while \(doing); restore it from a backup, or move it away to start a new one"
        case SQLITE_CANTOPEN:
            text = "cannot open database \(path) (\(detail)); check that its directory exists and is writable"
        case SQLITE_READONLY, SQLITE_PERM:
            text = "database \(path) is read-only (\(detail)) while \(doing); check the file's and directory's permissions"
        case SQLITE_IOERR:
            text = "I/O error on database \(path) while \(doing) (\(detail)); check the disk"
        default:
            text = "database \(path): \(detail) while \(doing)"
        }
        return ChorusError(.backend, text)
    }
}
