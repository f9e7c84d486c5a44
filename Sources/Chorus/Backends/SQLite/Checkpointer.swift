import CSQLite
import Foundation

/// Copies the write-ahead log back into the database file on a thread of its
/// own, instead of on whichever thread's commit made the log long.
///
/// SQLite's automatic checkpoint runs on the committing thread right after
/// its commit, and with `synchronous = NORMAL` it syncs the log and the
/// database file to disk: a worker would stall for those syncs every few
/// hundred tasks. Each connection's WAL hook (`install(on:)`) instead asks
/// this thread for a PASSIVE checkpoint once the log holds `threshold`
/// pages; a passive checkpoint never blocks readers or writers, and a busy
/// one (another process checkpointing) is simply skipped. Every process
/// sharing the file does the same, so the log stays bounded whoever writes.
///
/// Thread-safe. `@unchecked Sendable`: `requested`, `closed` and `thread`
/// are only touched with `condition` locked; `connection` only by the thread.
final class Checkpointer: @unchecked Sendable {
    /// Log pages after which a checkpoint is due (SQLite's default is 1000).
    static let threshold: Int32 = 2000

    private let path: String
    private let busyTimeout: Double
    private let condition = NSCondition()
    private var requested = false
    private var closed = false
    private var started = false

    init(path: String, busyTimeout: Double) {
        self.path = path
        self.busyTimeout = busyTimeout
    }

    /// Replaces `connection`'s automatic checkpoint with a request to this thread.
    func install(on connection: SQLiteConnection) {
        connection.walHookContext = self
        sqlite3_wal_hook(connection.handle, { context, _, _, pages in
            if pages >= Checkpointer.threshold, let context {
                Unmanaged<Checkpointer>.fromOpaque(context).takeUnretainedValue().request()
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Asks for a checkpoint soon; starts the thread on first use.
    func request() {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        requested = true
        if started {
            condition.signal()
            return
        }
        started = true
        let thread = Thread { [self] in run() }
        thread.name = "chorus-db-checkpoint"
        thread.start()
    }

    /// Ends the thread (after a checkpoint in progress).
    func stop() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        var connection: SQLiteConnection?
        while true {
            condition.lock()
            while !requested && !closed { condition.wait() }
            let done = closed
            requested = false
            condition.unlock()
            if done { return }
            if connection == nil {
                connection = try? SQLiteConnection(path: path, create: false)
                connection?.setBusyTimeout(busyTimeout)
            }
            guard let connection else { continue }
            // Failures (busy: another process is checkpointing) wait for the next request.
            _ = sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        }
    }
}
