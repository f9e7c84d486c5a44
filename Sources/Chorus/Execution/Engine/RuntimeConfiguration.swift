import Foundation
import Logging

/// How a `Runtime` runs: pool size, time scale, clock and randomness, where
/// messages and results live, and the delivery knobs.
public struct RuntimeConfiguration: Sendable {
    /// Executor threads running tasks. Default: the number of cores.
    public var concurrency: Int
    /// Factor applied to every wait the runtime performs (countdowns, etas,
    /// retry delays, leases). 0.01 runs a 180 s retry delay in 1.8 s.
    public var timeScale: Double
    /// Queues this runtime's workers consume, in priority order.
    public var queues: [String]
    /// Source of "now" and of waits; tests inject a `ManualClock`.
    public var clock: any RuntimeClock
    /// Source of jitter; tests inject a `SeededRandomSource`.
    public var random: any RandomSource
    /// How long a claimed acks_late message stays invisible (runtime
    /// seconds) before it is redelivered, unless renewed while the task runs.
    public var leaseSeconds: Double
    /// Deliveries after which a message whose worker keeps dying fails with a
    /// worker-lost error instead of being delivered again.
    public var maxDeliveries: Int
    /// Messages an executor claims at once from a broker that can prefetch
    /// (the SQLite backend), held by its process until an executor is free
    /// (Celery's `worker_prefetch_multiplier`). More saves claims; fewer
    /// leaves more work to other workers. Unstarted ones go back to the queue
    /// when every executor stays busy for a second, and at warm shutdown.
    public var prefetch: Int
    /// The most one claim takes while tasks finish fast: a claim then takes
    /// about 10 ms of work at the pace the previous one was worked through,
    /// at least `prefetch` (which is all it takes once tasks are slower).
    /// Each claim from SQLite costs a write transaction; with tasks of
    /// microseconds, `prefetch` 4 meant one every fourth task. Set it to
    /// `prefetch` to claim exactly `prefetch` every time.
    public var prefetchBurst: Int
    /// The most tasks an executor begins in one write batch (one commit)
    /// while tasks take microseconds: as many as fill about 2 ms at the pace
    /// of the last ones, up to this (see `BeginSizer`). A begun task without
    /// acks_late is acknowledged, so a crash loses the tasks begun and not
    /// run yet — at most about 2 ms of work per executor — as it loses the
    /// running one. 1 begins each task in a commit of its own. Only the
    /// SQLite backend batches; in process tasks are begun one at a time.
    public var beginBatch: Int
    /// Check at apply time that every task a canvas names is registered here,
    /// so a typo fails fast with suggestions. Turn off for a producer whose
    /// workers load other plugins.
    public var validateTaskNames: Bool
    public var logger: Logger

    public init(
        concurrency: Int = ProcessInfo.processInfo.activeProcessorCount, timeScale: Double = 1,
        queues: [String] = ["celery"], clock: any RuntimeClock = SystemClock.shared,
        random: any RandomSource = SystemRandomSource.shared, leaseSeconds: Double = 60, maxDeliveries: Int = 3,
        prefetch: Int = 4, prefetchBurst: Int = 64, beginBatch: Int = 32, validateTaskNames: Bool = true, logger: Logger = Logger(label: "chorus.runtime")
    ) {
        self.concurrency = concurrency
        self.timeScale = timeScale
        self.queues = queues
        self.clock = clock
        self.random = random
        self.leaseSeconds = leaseSeconds
        self.maxDeliveries = maxDeliveries
        self.prefetch = prefetch
        self.prefetchBurst = prefetchBurst
        self.beginBatch = beginBatch
        self.validateTaskNames = validateTaskNames
        self.logger = logger
    }

    /// Checks the values a person may get wrong; one line per problem.
    func validated() throws(ChorusError) -> RuntimeConfiguration {
        guard concurrency >= 1 && concurrency <= 1024 else {
            throw ChorusError(.invalidInput, "concurrency must be between 1 and 1024, got \(concurrency)")
        }
        guard timeScale.isFinite && timeScale > 0 else {
            throw ChorusError(.invalidInput, "time scale must be a positive number such as 0.01 or 1, got \(timeScale)")
        }
        guard !queues.isEmpty, queues.allSatisfy({ !$0.isEmpty }) else {
            throw ChorusError(.invalidInput, "at least one non-empty queue name is needed")
        }
        guard leaseSeconds.isFinite && leaseSeconds > 0 else {
            throw ChorusError(.invalidInput, "lease must be a positive number of seconds, got \(leaseSeconds)")
        }
        guard maxDeliveries >= 1 else {
            throw ChorusError(.invalidInput, "max deliveries must be at least 1, got \(maxDeliveries)")
        }
        guard prefetch >= 1 && prefetch <= 1000 else {
            throw ChorusError(.invalidInput, "prefetch must be between 1 and 1000 messages, got \(prefetch)")
        }
        guard prefetchBurst >= 1 && prefetchBurst <= 1000 else {
            throw ChorusError(.invalidInput, "prefetch burst must be between 1 and 1000 messages, got \(prefetchBurst)")
        }
        guard beginBatch >= 1 && beginBatch <= 1000 else {
            throw ChorusError(.invalidInput, "begin batch must be between 1 and 1000 tasks, got \(beginBatch)")
        }
        return self
    }
}
