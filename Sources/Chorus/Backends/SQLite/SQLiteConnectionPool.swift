import CSQLite
import Foundation

/// The connections one `SQLiteBackend` uses to its database file, shared by
/// the threads of one process.
///
/// Threading model:
/// - Every connection is used by exactly one thread at a time: a caller
///   `checkout`s one, uses it, and `checkin`s it (connections are opened in
///   SQLite's multi-thread mode, `SQLITE_OPEN_NOMUTEX`, which requires this).
///   Connections are opened lazily up to `capacity`; further callers wait.
/// - Write transactions of this process take `writer` first, so threads of
///   one process queue on a semaphore (a quick hand-off) instead of spinning
///   in SQLite's busy handler; other processes are kept out by SQLite's own
///   file locks and the busy timeout. Readers never take `writer` (WAL lets
///   them read while one connection writes).
/// - A thread with an open `StateTransaction` "pins" its connection: every
///   other backend call made on that thread runs on the pinned connection,
///   inside that transaction (as a savepoint), instead of deadlocking on the
///   write lock the transaction holds.
///
/// `@unchecked Sendable`: `idle`, `opened`, `closed` and `pinned` are only
/// touched with `condition` locked; a checked-out connection belongs to the
/// one thread that checked it out until it is checked in.
final class SQLiteConnectionPool: @unchecked Sendable {
    typealias Factory = @Sendable () throws(SQLiteError) -> SQLiteConnection

    let capacity: Int
    /// One permit: held for the whole of a write transaction of this process.
    let writer = DispatchSemaphore(value: 1)
    private let factory: Factory
    private let condition = NSCondition()
    private var idle: [SQLiteConnection] = []
    private var opened = 0
    private var closed = false
    /// Connections with an open explicit transaction, by the thread that owns it,
    /// with the nesting depth of transactions begun on that thread.
    private var pinned: [ObjectIdentifier: (connection: SQLiteConnection, depth: Int)] = [:]

    init(capacity: Int, factory: @escaping Factory) {
        self.capacity = capacity
        self.factory = factory
    }

    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    /// A connection for the calling thread alone, waiting up to `timeout`
    /// seconds when all `capacity` connections are in use.
    func checkout(timeout: Double) throws(SQLiteError) -> SQLiteConnection {
        let limit = Date().addingTimeInterval(timeout)
        condition.lock()
        while true {
            if closed {
                condition.unlock()
                throw SQLiteError(ChorusError(.invalidState, "the SQLite backend is closed"))
            }
            if let connection = idle.popLast() {
                condition.unlock()
                return connection
            }
            if opened < capacity {
                opened += 1
                condition.unlock()
                do {
                    return try factory()
                } catch {
                    condition.lock()
                    opened -= 1
                    condition.broadcast()
                    condition.unlock()
                    throw error
                }
            }
            if !condition.wait(until: limit) {
                condition.unlock()
                throw SQLiteError(code: SQLITE_BUSY, message: "all \(capacity) connections of this process stayed in use")
            }
        }
    }

    /// Returns a connection; it is closed instead when the pool is closed.
    func checkin(_ connection: SQLiteConnection) {
        condition.lock()
        defer { condition.unlock() }
        if closed {
            opened -= 1
        } else {
            idle.append(connection)
        }
        condition.signal()
    }

    /// Takes the process-wide write permit, waiting at most `timeout` seconds.
    func lockWriter(timeout: Double) throws(SQLiteError) {
        guard writer.wait(timeout: .now() + timeout) == .success else {
            throw SQLiteError(code: SQLITE_BUSY, message: "a transaction in this process held the write lock for over \(timeout) s")
        }
    }

    func unlockWriter() { writer.signal() }

    private var threadKey: ObjectIdentifier { ObjectIdentifier(Thread.current) }

    /// The connection the calling thread holds an open transaction on, if any.
    func pinnedConnection() -> SQLiteConnection? {
        condition.lock()
        defer { condition.unlock() }
        return pinned[threadKey]?.connection
    }

    /// Records that the calling thread began a transaction on `connection`
    /// (or a nested one on its pinned connection).
    /// Returns the key to `unpin` with, so the end may run on another thread.
    func pin(_ connection: SQLiteConnection) -> ObjectIdentifier {
        condition.lock()
        defer { condition.unlock() }
        let key = threadKey
        if let entry = pinned[key] {
            precondition(entry.connection === connection, "a thread can pin only one connection")
            pinned[key]!.depth += 1
        } else {
            pinned[key] = (connection, 1)
        }
        return key
    }

    /// Ends one level of the calling thread's transactions; true when it was the outermost.
    @discardableResult
    func unpin(_ key: ObjectIdentifier) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard let entry = pinned[key] else { return true }
        if entry.depth <= 1 {
            pinned[key] = nil
            return true
        }
        pinned[key]!.depth -= 1
        return false
    }

    /// Closes idle connections now and the others as they are checked in.
    func close() {
        condition.lock()
        closed = true
        opened -= idle.count
        idle.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
