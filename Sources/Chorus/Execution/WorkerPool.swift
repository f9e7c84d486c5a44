import Collections
import Foundation

/// A fixed set of executor threads that run blocking jobs, such as calls into C
/// plugins, off the Swift concurrency cooperative pool.
///
/// - At most `threadCount` jobs run at once; a job that blocks (sleeping C
///   code) occupies one executor and the others keep running queued jobs.
/// - `submit` never blocks: the queue is unbounded, so a job may submit more
///   jobs (even with one executor) without deadlock.
/// - Jobs run in submission order (FIFO) as executors free up.
/// - All methods are safe to call from any thread; `shutdown` and
///   `waitForIdle` called from inside a job do not wait for that job.
public final class WorkerPool: @unchecked Sendable {
    public typealias Job = @Sendable () -> Void

    /// What `shutdown` does with jobs that have not started.
    public enum QueuedJobs: Sendable {
        /// Run every queued job (including ones submitted meanwhile by running jobs), then stop.
        case finish
        /// Stop after the running jobs; hand the queued ones back to the caller.
        case drop
    }

    public let threadCount: Int

    // Invariant: every stored `var` below is read and written only while
    // `condition` is locked. Executors sleep on `condition` when the queue is
    // empty; `submit`, `shutdown` and job completion signal it.
    private let condition = NSCondition()
    private var queue = Deque<Job>()
    private var runningCount = 0
    private var liveThreads = 0
    private var accepting = true
    private var stopping = false
    /// During a `.finish` shutdown, running jobs may still submit follow-up
    /// jobs (a job's callbacks); they run before the executors exit.
    private var finishing = false
    /// Joined (and emptied) by the first `shutdown`. A `JoinableThread` holds
    /// no closure once started, so this list keeps no pool alive.
    private var threads: [JoinableThread] = []
    /// Jobs blocked in `shutdown` (called from a job): they can submit
    /// nothing more, so a `.finish` shutdown does not wait for them.
    private var jobsInShutdown = 0
    /// Marks executor threads: each holds its pool's address in this slot, so
    /// the pool needs no list of `Thread`s (which, holding closures that hold
    /// the pool, would keep a shut-down pool alive forever).
    private static let executorSlot: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The smallest explicit stack accepted: less than this cannot hold the
    /// runtime's own frames around a plugin call.
    public static let minimumStackSize = 256 * 1024

    /// Starts `threadCount` executors (default: the active processor count).
    /// `stackSize` (bytes) matters for plugins with deep C stacks; 0 = platform default.
    /// The executors keep the pool alive until `shutdown()`, which every owner must call.
    public init(threadCount: Int = ProcessInfo.processInfo.activeProcessorCount, name: String = "chorus-worker", stackSize: Int = 0) {
        precondition(threadCount > 0, "a WorkerPool needs at least one thread")
        precondition(
            stackSize == 0 || stackSize >= Self.minimumStackSize,
            "a WorkerPool stack must be 0 (the platform default) or at least \(Self.minimumStackSize) bytes, got \(stackSize)")
        self.threadCount = threadCount
        condition.lock()
        defer { condition.unlock() }
        for index in 0..<threadCount {
            liveThreads += 1
            threads.append(JoinableThread(name: "\(name)-\(index)", stackSize: stackSize) {
                pthread_setspecific(Self.executorSlot, Unmanaged.passUnretained(self).toOpaque())
                self.executorLoop()
            })
        }
    }

    /// Queues `job`. Returns false (and drops it) once `shutdown` has begun.
    /// During a `.finish` shutdown only jobs of this pool may still submit.
    @discardableResult
    public func submit(_ job: @escaping Job) -> Bool {
        let fromJob = isExecutorThread
        condition.lock()
        defer { condition.unlock() }
        guard accepting || (finishing && fromJob) else { return false }
        queue.append(job)
        condition.broadcast()
        return true
    }

    /// Jobs currently running.
    public var activeCount: Int { locked { runningCount } }

    /// Jobs waiting for an executor.
    public var queuedCount: Int { locked { queue.count } }

    /// Blocks until no job is queued or running (not counting the calling job,
    /// when called from one), or until `timeout` seconds pass. Returns false on timeout.
    @discardableResult
    public func waitForIdle(timeout: Double = .infinity) -> Bool {
        let own = isExecutorThread ? 1 : 0
        let limit = timeout.isFinite ? Date().addingTimeInterval(timeout) : Date.distantFuture
        condition.lock()
        defer { condition.unlock() }
        while !queue.isEmpty || runningCount > own {
            if !condition.wait(until: limit) { return false }
        }
        return true
    }

    /// Stops accepting new jobs from outside, lets running jobs finish, and
    /// either runs or returns the queued ones; then waits for the executors to
    /// exit — joined, so none is left running pool code — all but the calling
    /// one, when called from a job (that one cleans up after itself). Idempotent.
    @discardableResult
    public func shutdown(queued: QueuedJobs = .finish) -> [Job] {
        let own = isExecutorThread ? 1 : 0
        condition.lock()
        var exited: [JoinableThread] = []
        defer {
            condition.unlock()
            for thread in exited { thread.join() }
        }
        var dropped: [Job] = []
        accepting = false
        if !stopping {
            stopping = true
            finishing = queued == .finish
        }
        if queued == .drop {
            dropped = Array(queue)
            queue.removeAll()
        }
        jobsInShutdown += own
        condition.broadcast()
        while liveThreads > own { condition.wait() }
        jobsInShutdown -= own
        exited = threads
        threads = []
        return dropped
    }

    private var isExecutorThread: Bool {
        pthread_getspecific(Self.executorSlot) == Unmanaged.passUnretained(self).toOpaque()
    }

    private func locked<R>(_ body: () -> R) -> R {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    private func executorLoop() {
        condition.lock()
        while true {
            if let job = queue.popFirst() {
                runningCount += 1
                condition.unlock()
                job()
                condition.lock()
                runningCount -= 1
                condition.broadcast()
                continue
            }
            // Exit once stopping and nothing is queued and no running job can add more.
            if stopping && (!finishing || runningCount == jobsInShutdown) { break }
            condition.wait()
        }
        liveThreads -= 1
        condition.broadcast()
        condition.unlock()
    }
}
