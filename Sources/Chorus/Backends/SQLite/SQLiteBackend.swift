import CSQLite
import Foundation

/// Chorus's durable embedded backend: the `Broker`, the `ResultStore` and the
/// `PluginStateStore` in ONE SQLite database file (WAL mode) that several
/// worker and producer processes open at the same time.
///
/// - Threading: safe from any thread. Each call takes a connection from a
///   small per-backend pool (`SQLiteConnectionPool`); write transactions of
///   one process queue on a semaphore, other processes are kept out by
///   SQLite's locks with a busy timeout plus a few bounded retries.
/// - Time: due times and lease deadlines are stored as absolute WALL times
///   (microseconds since 1970), computed by the process that publishes or
///   claims, with this backend's `TimeScale` applied to the distance from now.
///   All processes on one machine read the same wall clock, so they agree on
///   what is due. A wall-clock jump shifts due times and leases with it.
/// - Waiting: `claim(timeout:)` and `waitForReadyResult` sleep until a
///   commit by any process concerns them (`CommitSignal`: counters in a
///   shared `<database>-wake` file, futex waits on Linux); a claim also wakes
///   when the next eta or lease deadline comes. Without that file they poll,
///   sleeping 1 ms rising to 50 ms between looks.
/// - Errors: every storage failure is one `ChorusError(.backend, ...)` line
///   naming the database path and what to do (full disk, locked, corrupt,
///   not a Chorus database). A failed call changes nothing.
///
/// The `scale` must match the `RuntimeConfiguration.timeScale` of runtimes
/// using this backend, and be the same in every process sharing the file.
///
/// Use ONE backend object per process as broker, store and state store: a
/// `StateTransaction` holds the database's single write lock, and only calls
/// made through the same object on the same thread join it. Other writers —
/// threads, processes, other objects on the file — wait for it (up to
/// `busyTimeout`), so keep transactions short and never wait for a task's
/// result inside one.
public final class SQLiteBackend: Sendable {
    /// The database file.
    public let path: String
    public let clock: any RuntimeClock
    /// Scales eta waits and lease lengths (see `TimeScale`).
    public let scale: TimeScale
    public let options: Options

    let pool: SQLiteConnectionPool
    let wake = WakeSignal()
    /// Commit notification across processes; nil where the `-wake` file
    /// cannot be used (waiters then poll).
    let signal: CommitSignal?
    let checkpointer: Checkpointer
    let tags = DeliveryTags()
    let sweeps = SweepCursors()

    /// Tunables; the defaults suit production.
    public struct Options: Sendable {
        /// How long a call waits for another process's (or a long open
        /// transaction's) lock before failing with a `.backend` "locked"
        /// error, in seconds.
        public var busyTimeout: Double
        /// Connections this backend opens at most (one per concurrently busy thread).
        public var maximumConnections: Int
        /// Results (and chord counters) are deleted by `purgeExpired` this many
        /// seconds after they were last written. Celery's `result_expires`: 1 day.
        public var resultExpires: Double
        /// Attempt history is deleted this many seconds after it was recorded: 7 days.
        public var attemptExpires: Double
        /// A cap on the database size in bytes (SQLite's `max_page_count`); a
        /// write that would exceed it fails like a full disk. Nil: no cap.
        public var maximumSizeBytes: Int64?
        /// Probe an existing database's structure when opening it (the root
        /// page and first leaf of every table and index; milliseconds at any
        /// size), to refuse a damaged file up front. See `checkIntegrity()`.
        public var verifyOnOpen: Bool
        /// Also run the full `PRAGMA quick_check` when opening an existing
        /// database: every page, about a second per GB. Off by default; call
        /// `checkIntegrity()` to check on demand.
        public var fullCheckOnOpen: Bool

        public init(
            busyTimeout: Double = 5, maximumConnections: Int = 16, resultExpires: Double = 86_400,
            attemptExpires: Double = 7 * 86_400, maximumSizeBytes: Int64? = nil, verifyOnOpen: Bool = true,
            fullCheckOnOpen: Bool = false
        ) {
            self.busyTimeout = busyTimeout
            self.maximumConnections = maximumConnections
            self.resultExpires = resultExpires
            self.attemptExpires = attemptExpires
            self.maximumSizeBytes = maximumSizeBytes
            self.verifyOnOpen = verifyOnOpen
            self.fullCheckOnOpen = fullCheckOnOpen
        }
    }

    /// Opens the database at `path`, creating it (and its schema) when the
    /// file is missing or empty, and migrating an older Chorus schema forward.
    ///
    /// Throws `.backend` — and leaves the file untouched — when it is not a
    /// SQLite file, is corrupt, belongs to another application, or was made by
    /// a newer Chorus; `.invalidInput` for bad options.
    public init(
        path: String, clock: any RuntimeClock = SystemClock.shared, scale: TimeScale = .realTime,
        options: Options = Options()
    ) throws(ChorusError) {
        guard options.busyTimeout.isFinite && options.busyTimeout >= 0 else {
            throw ChorusError(.invalidInput, "busy timeout must be zero or more seconds, got \(options.busyTimeout)")
        }
        guard options.maximumConnections >= 1 else {
            throw ChorusError(.invalidInput, "the SQLite backend needs at least 1 connection, got \(options.maximumConnections)")
        }
        guard options.resultExpires > 0 && options.attemptExpires > 0 else {
            throw ChorusError(.invalidInput, "result and attempt expiry must be positive numbers of seconds")
        }
        guard !path.isEmpty else { throw ChorusError(.invalidInput, "the database path is empty; pass --db PATH or set CHORUS_DB") }
        self.path = path
        self.clock = clock
        self.scale = scale
        self.options = options
        let busyTimeout = options.busyTimeout
        let sizeLimit = options.maximumSizeBytes
        let checkpointer = Checkpointer(path: path, busyTimeout: busyTimeout)
        self.checkpointer = checkpointer
        pool = SQLiteConnectionPool(capacity: options.maximumConnections) { () throws(SQLiteError) -> SQLiteConnection in
            let connection = try SQLiteConnection(path: path)
            connection.setBusyTimeout(busyTimeout)
            checkpointer.install(on: connection)
            // A log that started over is truncated to 64 MiB, so a burst does not keep its disk space.
            try connection.exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 67108864;")
            if let sizeLimit {
                let pageSize = try connection.queryFirst("PRAGMA page_size") { $0.int(0) } ?? 4096
                try connection.exec("PRAGMA max_page_count = \(max(1, sizeLimit / max(1, pageSize)))")
            }
            return connection
        }
        try Self.openSchema(pool: pool, path: path, options: options)
        signal = CommitSignal.open(databasePath: path)
    }

    deinit {
        checkpointer.stop()
        pool.close()
    }

    /// Closes the database: idle connections now, busy ones when their call
    /// returns. Later calls throw `.invalidState`; blocked claims return nil.
    public func close() {
        pool.close()
        checkpointer.stop()
        wake.notify()
        signal?.wakeAll()
    }

    // MARK: - Running statements

    /// Pauses before retrying a whole call that failed with SQLITE_BUSY or
    /// SQLITE_LOCKED (cases SQLite's busy handler does not wait out, such as
    /// a stale WAL snapshot), doubling from 1 ms to at most 50 ms, for as
    /// long as `busyTimeout` allows since the call began.
    func busyRetryPause(_ retry: Int, since start: Date) -> Double? {
        Self.busyRetryPause(retry, since: start, busyTimeout: options.busyTimeout)
    }

    /// `busyRetryPause(_:since:)` before the backend exists (while opening).
    static func busyRetryPause(_ retry: Int, since start: Date, busyTimeout: Double) -> Double? {
        let pause = min(0.05, 0.001 * Double(1 << min(retry, 6)))
        guard Date().timeIntervalSince(start) + pause < busyTimeout else { return nil }
        return pause
    }

    /// Runs `body` in a write transaction (BEGIN IMMEDIATE ... COMMIT), or in a
    /// savepoint of the calling thread's open `StateTransaction`. On any error
    /// everything `body` did is rolled back. `doing` names the operation in errors.
    /// `atomic: false` is for a body of ONE statement, which SQLite already
    /// undoes on its own when it fails: inside an open transaction it skips
    /// the savepoint.
    func write<R>(
        _ doing: @autoclosure () -> String, atomic: Bool = true, _ body: (SQLiteConnection) throws(SQLiteError) -> R
    ) throws(ChorusError) -> R {
        if let pinned = pool.pinnedConnection() {
            do throws(SQLiteError) {
                return atomic ? try pinned.savepoint(body) : try body(pinned)
            } catch {
                throw describe(error, doing())
            }
        }
        var retry = 0
        let start = Date()
        while true {
            do throws(SQLiteError) {
                try pool.lockWriter(timeout: max(options.busyTimeout, 0.001))
                defer { pool.unlockWriter() }
                let turn = signal?.acquireTurn(limit: options.busyTimeout) ?? false
                defer { if turn { signal?.releaseTurn() } }
                let connection = try pool.checkout(timeout: max(options.busyTimeout, 0.001))
                let value: R
                do throws(SQLiteError) {
                    value = try connection.immediateTransaction(body)
                } catch {
                    connection.commitWords = CommitWords()
                    pool.checkin(connection)
                    throw error
                }
                let words = connection.commitWords
                connection.commitWords = CommitWords()
                pool.checkin(connection)
                committed(words)
                return value
            } catch where error.isBusy && busyRetryPause(retry, since: start) != nil {
                Thread.sleep(forTimeInterval: busyRetryPause(retry, since: start) ?? 0)
                retry += 1
            } catch {
                throw describe(error, doing())
            }
        }
    }

    /// Runs `body` on a connection outside any write transaction (each
    /// statement sees the latest commit), or on the calling thread's pinned
    /// connection so it sees the open transaction's own writes.
    func read<R>(
        _ doing: @autoclosure () -> String, _ body: (SQLiteConnection) throws(SQLiteError) -> R
    ) throws(ChorusError) -> R {
        if let pinned = pool.pinnedConnection() {
            do throws(SQLiteError) { return try body(pinned) } catch { throw describe(error, doing()) }
        }
        var retry = 0
        let start = Date()
        while true {
            do throws(SQLiteError) {
                let connection = try pool.checkout(timeout: max(options.busyTimeout, 0.001))
                defer { pool.checkin(connection) }
                return try body(connection)
            } catch where error.isBusy && busyRetryPause(retry, since: start) != nil {
                Thread.sleep(forTimeInterval: busyRetryPause(retry, since: start) ?? 0)
                retry += 1
            } catch {
                throw describe(error, doing())
            }
        }
    }

    /// After a commit: wakes the waiters its writes concern, in every process.
    func committed(_ words: CommitWords) {
        guard !words.isEmpty else { return }
        signal?.committed(words)
        wake.notify()
    }

    /// Calls `attempt` until it is done or `timeout` seconds of the backend's
    /// clock pass; returns nil on timeout or once the backend is closed.
    ///
    /// Between tries it sleeps until a commit bumps `word` (see
    /// `CommitSignal`) — by any process — or until the time `attempt` named,
    /// and at most `maximumSignalWait` in case a commit went unsignalled.
    /// Without the signal (or with a test clock) it polls: 1 ms, doubling to
    /// at most 50 ms, between tries; a commit by this backend object ends a
    /// sleep early.
    func poll<R>(
        timeout: Double, on word: CommitSignal.Word, _ attempt: () throws(ChorusError) -> PollStep<R>
    ) throws(ChorusError) -> R? {
        guard let signal, clock is SystemClock else { return try pollWithBackoff(timeout: timeout, attempt) }
        let giveUp = clock.monotonicNow.advanced(bySeconds: max(0, timeout))
        while true {
            let seen = signal.generation(word)
            let dueMicros: Int64?
            switch try attempt() {
            case .done(let value): return value
            case .wait(let micros): dueMicros = micros
            }
            var now = clock.monotonicNow
            if now >= giveUp || pool.isClosed { return nil }
            var until = min(giveUp, now.advanced(bySeconds: Self.maximumSignalWait))
            if let dueMicros { until = min(until, now.advanced(bySeconds: Self.seconds(untilWallMicros: dueMicros, clock.now))) }
            while signal.generation(word) == seen && now < until && !pool.isClosed {
                signal.wait(word, after: seen, seconds: Double(until.nanoseconds - now.nanoseconds) / 1e9)
                now = clock.monotonicNow
            }
        }
    }

    private func pollWithBackoff<R>(timeout: Double, _ attempt: () throws(ChorusError) -> PollStep<R>) throws(ChorusError) -> R? {
        let giveUp = clock.monotonicNow.advanced(bySeconds: max(0, timeout))
        var pause = Self.minimumPoll
        while true {
            let seen = wake.generation
            let dueMicros: Int64?
            switch try attempt() {
            case .done(let value): return value
            case .wait(let micros): dueMicros = micros
            }
            let now = clock.monotonicNow
            if now >= giveUp || pool.isClosed { return nil }
            var until = min(giveUp, now.advanced(bySeconds: pause))
            if let dueMicros { until = min(until, now.advanced(bySeconds: Self.seconds(untilWallMicros: dueMicros, clock.now))) }
            wake.wait(after: seen, until: until, clock: clock)
            pause = wake.generation != seen ? Self.minimumPoll : min(pause * 2, Self.maximumPoll)
        }
    }

    /// Seconds from `now` to a stored wall time, at least 0.
    static func seconds(untilWallMicros micros: Int64, _ now: Date) -> Double {
        max(0, Double(micros - Self.micros(now)) / 1_000_000)
    }

    /// What one try of `poll` found.
    enum PollStep<R> {
        case done(R)
        /// Not yet; nothing changes by itself before this wall time
        /// (microseconds since 1970), if given, unless something commits.
        case wait(untilMicros: Int64?)
    }

    static let minimumPoll = 0.001
    static let maximumPoll = 0.05
    /// The longest sleep waiting for a signalled commit: a safety net for
    /// writers that do not signal.
    static let maximumSignalWait = 0.5

    // MARK: - Time

    /// Microseconds since 1970 of a wall time: how due times, leases and expiries are stored.
    static func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }

    /// The wall time, in stored microseconds, `seconds` of runtime time from now (scaled).
    func wallMicros(afterRuntimeSeconds seconds: Double) -> Int64 {
        Self.micros(clock.now) + Int64((scale.interval(max(0, seconds)) * 1_000_000).rounded())
    }

    /// The stored due time of `eta`: the distance from now is scaled, the
    /// result is absolute, so every process agrees; a past eta is due now.
    func dueMicros(forEta eta: Date?) -> Int64 {
        let now = clock.now
        guard let eta else { return Self.micros(now) }
        return Self.micros(now) + Int64((scale.interval(max(0, eta.timeIntervalSince(now))) * 1_000_000).rounded())
    }
}
