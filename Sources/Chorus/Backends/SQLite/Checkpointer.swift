import CSQLite
import Foundation

/// Copies the write-ahead log back into the database file on a thread of its
/// own, instead of on whichever thread's commit made the log long.
///
/// SQLite's automatic checkpoint runs on the committing thread right after
/// its commit, and with `synchronous = NORMAL` it syncs the log and the
/// database file to disk: a worker would stall for those syncs every few
/// hundred tasks. Each connection's WAL hook (`install(on:)`) instead asks
/// this thread for a checkpoint each time the log grew by `threshold` pages.
///
/// It is PASSIVE: pages are copied without holding anyone up, and the next
/// writer starts the log over once everything is copied and no reader uses
/// it. Under constant load there is hardly ever such a moment — with several
/// processes reading and writing the log grew by gigabytes, every write
/// extending the file and every page lookup searching a longer index — so
/// once the log holds `restartThreshold` pages the PASSIVE copy is followed
/// by a RESTART checkpoint, which copies what came meanwhile and waits (at
/// most `restartWait`) for readers to leave the log, so the next commit
/// writes it from the start. Writers wait for that step only (a few
/// milliseconds; it takes the write turn of `CommitSignal` like any Chorus
/// writer); readers never wait. Every process sharing the file does the same.
///
/// Thread-safe. `@unchecked Sendable`: `requested`, `restart`,
/// `requestedAt`, `closed` and `started` are only touched with `condition`
/// locked; the thread's connection only by the thread.
final class Checkpointer: @unchecked Sendable {
    /// Log pages after which a checkpoint is due (SQLite's default is 1000).
    static let threshold: Int32 = 2000
    /// Log pages after which the log is made to start over (RESTART).
    static let restartThreshold: Int32 = 4 * threshold
    /// How long a checkpoint waits for writers to finish and readers to leave the log.
    static let restartWait = 0.1

    private let path: String
    private let busyTimeout: Double
    private let condition = NSCondition()
    private var requested = false
    private var restart = false
    /// The log's length at the last request.
    private var requestedAt: Int32 = 0
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
                Unmanaged<Checkpointer>.fromOpaque(context).takeUnretainedValue().logHolds(pages)
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// After a commit left `pages` in the log: asks for a checkpoint when
    /// the log grew by `threshold` pages since the last request (a RESTART
    /// one past `restartThreshold`); starts the thread on first use.
    func logHolds(_ pages: Int32) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        if pages < requestedAt { requestedAt = 0 }  // the log started over
        guard pages >= requestedAt + Self.threshold else { return }
        requestedAt = pages
        requested = true
        restart = restart || pages >= Self.restartThreshold
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
        let signal = CommitSignal.open(databasePath: path)
        while true {
            condition.lock()
            while !requested && !closed { condition.wait() }
            let done = closed
            let restarting = restart
            requested = false
            restart = false
            condition.unlock()
            if done { return }
            if connection == nil {
                connection = try? SQLiteConnection(path: path, create: false)
                connection?.setBusyTimeout(min(busyTimeout, Self.restartWait))
                // A connection only sees the log (and can checkpoint it) once it has read the database.
                if (try? connection?.queryFirst("PRAGMA user_version") { $0.int(0) }) == nil { connection = nil }
            }
            guard let connection else { continue }
            // Copy what can be copied without holding up writers first (this
            // syncs the log and the database), then restart the log: writers
            // wait only for the frames written meanwhile.
            _ = sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            if restarting {
                let turn = signal?.acquireTurn(limit: Self.restartWait) ?? false
                _ = sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_RESTART, nil, nil)
                if turn { signal?.releaseTurn() }
            }
        }
    }
}
