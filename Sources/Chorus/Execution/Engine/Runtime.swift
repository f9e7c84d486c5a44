import Foundation
import Logging
import Synchronization

/// The Chorus runtime: runs signatures and canvases the way Celery does, with
/// tasks from a `TaskRegistry`, messages on a `Broker`, results and attempt
/// history in a `ResultStore`, and a pool of executor threads.
///
/// Lifecycle: create, `start()` the workers, `apply` work (before or after
/// starting), `shutdown()`. A runtime that is never started is a producer:
/// it only publishes.
///
/// `@unchecked Sendable`: every stored property is immutable and `Sendable`
/// except `lifecycle` and `observers`, which live behind their own locks, and
/// the atomics `stopping`, `running` and `observerCount`.
public final class Runtime: @unchecked Sendable {
    public let registry: TaskRegistry
    public let configuration: RuntimeConfiguration
    public let broker: any Broker
    public let store: any ResultStore
    /// Where the host API's `state_*` calls keep plugin state.
    public let state: PluginStateStore
    let scale: TimeScale
    let scheduler: Scheduler
    private let ownedMemoryBackend: MemoryBackend?
    private let pool: WorkerPool
    private let lifecycle = LockProtected(Lifecycle())
    private let observers = LockProtected<[@Sendable (TaskEvent) -> Void]>([])
    /// Read on every task state change (usually to find nobody observes), so
    /// it is an atomic rather than a look under the observers' lock, which
    /// executors and publishers contended for.
    private let observerCount = Atomic<Int>(0)
    /// Set once by `shutdown`; executors check it before every claim.
    private let stopping = Atomic<Bool>(false)
    /// Tasks between `beginTask` and `endTask`, counted without a lock: two
    /// executors and a publisher touch it for every task.
    private let running = Atomic<Int>(0)
    let logger: Logger
    /// Whether broker, result store and state are one SQLite database, so a
    /// task's writes can share one transaction (see `inWriteBatch`).
    let batchesWrites: Bool
    /// Claimed ahead and not started yet, shared by the executors (see `consume`).
    let prefetched = PrefetchBuffer()
    /// Lets executors' write batches share a transaction (see `inWriteBatch`).
    let writeGroup = GroupCommit()
    /// Seed of the tasks' random streams (`host->random`), drawn once from the
    /// configured random source so `--seed` repeats a run.
    let randomSeed: UInt64

    struct Lifecycle {
        var started = false
    }

    /// A runtime on an in-memory broker and result store.
    public convenience init(registry: TaskRegistry, configuration: RuntimeConfiguration = RuntimeConfiguration()) throws(ChorusError) {
        let checked = try configuration.validated()
        let memory = MemoryBackend(clock: checked.clock, scale: TimeScale(checked.timeScale))
        try self.init(registry: registry, configuration: checked, broker: memory, store: memory, state: MemoryPluginStateStore(), owned: memory)
    }

    /// A runtime on the given broker and result store (for example the
    /// durable SQLite backend, which the canvas logic does not know about).
    public convenience init(
        registry: TaskRegistry, configuration: RuntimeConfiguration, broker: any Broker, store: any ResultStore,
        state: PluginStateStore
    ) throws(ChorusError) {
        try self.init(registry: registry, configuration: configuration.validated(), broker: broker, store: store, state: state, owned: nil)
    }

    private init(
        registry: TaskRegistry, configuration: RuntimeConfiguration, broker: any Broker, store: any ResultStore,
        state: PluginStateStore, owned: MemoryBackend?
    ) throws(ChorusError) {
        self.registry = registry
        self.configuration = configuration
        self.broker = broker
        self.store = store
        self.state = state
        self.ownedMemoryBackend = owned
        self.scale = TimeScale(configuration.timeScale)
        self.scheduler = Scheduler(clock: configuration.clock, scale: scale, name: "chorus-scheduler")
        self.pool = WorkerPool(threadCount: configuration.concurrency, name: "chorus-worker")
        self.logger = configuration.logger
        self.batchesWrites = store is SQLiteBackend && (broker as AnyObject) === (store as AnyObject)
            && (state as AnyObject) === (store as AnyObject)
        // Derived from the seed rather than drawn, so retry jitter sees the same
        // sequence whether or not tasks draw numbers.
        if let seeded = configuration.random as? SeededRandomSource {
            var mixer = SplitMix64(seed: seeded.seed ^ 0x5DEE_CE66_D1CE_5EED)
            self.randomSeed = mixer.next()
        } else {
            var generator = SystemRandomNumberGenerator()
            self.randomSeed = generator.next()
        }
    }

    deinit {
        _ = scheduler.shutdown()
        _ = pool.shutdown(queued: .drop)
    }

    /// Starts `concurrency` executors consuming the configured queues.
    public func start() {
        let first: Bool = lifecycle.withLock { life in
            defer { life.started = true }
            return !life.started
        }
        guard first else { return }
        for index in 0..<configuration.concurrency {
            _ = pool.submit { [self] in consume(executor: index) }
        }
    }

    /// Warm shutdown: executors take no new work, running tasks finish (their
    /// callbacks and next steps are still published), queued work stays
    /// queued. Returns false if running tasks did not finish within `timeout`
    /// seconds.
    @discardableResult
    public func shutdown(timeout: Double = 60) -> Bool {
        stopping.store(true, ordering: .sequentiallyConsistent)
        let deadline = Date().addingTimeInterval(timeout)
        var drained = true
        while running.load(ordering: .sequentiallyConsistent) > 0 {
            if Date() >= deadline { drained = false; break }
            usleep(2_000)
        }
        ownedMemoryBackend?.closeBroker()
        if drained { drained = pool.waitForIdle(timeout: max(0, deadline.timeIntervalSinceNow)) }
        _ = pool.shutdown(queued: .drop)
        _ = scheduler.shutdown()
        return drained
    }

    /// Calls `observer` for every task event, on the thread that caused it.
    /// Observers must be quick and must not call back into the runtime.
    public func observe(_ observer: @escaping @Sendable (TaskEvent) -> Void) {
        observers.withLock { list in
            list.append(observer)
            observerCount.store(list.count, ordering: .releasing)
        }
    }

    /// Reports `event` to the observers. The event is only built when someone
    /// observes: most runtimes have no observers, and building one per task
    /// state (strings retained, the clock read) was measurable per task.
    func emit(_ event: @autoclosure () -> TaskEvent) {
        guard observerCount.load(ordering: .acquiring) > 0 else { return }
        let current = observers.withLock { $0 }
        let event = event()
        for observer in current { observer(event) }
    }

    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    func beginTask() -> Bool {
        running.add(1, ordering: .sequentiallyConsistent)
        return true
    }

    func endTask() {
        running.subtract(1, ordering: .sequentiallyConsistent)
    }

    /// Whether nothing is running and nothing waits on this runtime's queues
    /// (including retries and countdowns scheduled for later). `nil` when the
    /// broker cannot count what it holds.
    public var isIdle: Bool? {
        guard let counting = broker as? PendingCounting else { return nil }
        // A claimed message is counted by the broker until it is settled, and a
        // running task by `running` from before it is settled until it has
        // published its follow-ups: checking the broker between two reads of
        // `running` leaves no gap.
        let runningBefore = running.load(ordering: .sequentiallyConsistent)
        let outstanding = counting.outstandingCount(queues: configuration.queues)
        let runningAfter = running.load(ordering: .sequentiallyConsistent)
        return runningBefore == 0 && outstanding == 0 && runningAfter == 0
    }

    /// Blocks until `isIdle` holds twice in a row a few milliseconds apart (so
    /// work a finishing task is about to publish is not missed), or `timeout`
    /// seconds pass. Returns whether it went idle.
    public func waitUntilIdle(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var quietChecks = 0
        while Date() < deadline {
            if isIdle == true {
                quietChecks += 1
                if quietChecks >= 2 { return true }
            } else {
                quietChecks = 0
            }
            usleep(5_000)
        }
        return false
    }

    /// The time scale as a factor, for the host API.
    public var timeScale: Double { configuration.timeScale }
}
