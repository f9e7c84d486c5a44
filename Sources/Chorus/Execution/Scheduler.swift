import Collections
import Foundation

/// Runs work at a deadline: one timer heap and ONE thread that sleeps until the
/// earliest deadline, however many timers are pending (never a thread per task).
///
/// - Due work runs on the scheduler thread in deadline order, FIFO among equal
///   deadlines. It must be short and must not block (hand real work to a
///   `WorkerPool`); a slow item delays every later one.
/// - Deadlines are monotonic instants of the scheduler's clock, so wall-clock
///   changes do not move them. Relative and wall-time entry points apply the
///   scheduler's `TimeScale`.
/// - All methods are safe to call from any thread, including from inside work.
public final class Scheduler: @unchecked Sendable {
    /// Identifies one scheduled item, for `cancel`.
    public struct Token: Sendable, Hashable {
        public let rawValue: UInt64
    }

    public typealias Work = @Sendable () -> Void

    private struct Entry: Comparable {
        let deadline: MonotonicInstant
        let sequence: UInt64
        static func < (a: Entry, b: Entry) -> Bool {
            (a.deadline, a.sequence) < (b.deadline, b.sequence)
        }
    }

    public let clock: any RuntimeClock
    public let scale: TimeScale

    // Invariant: every stored property below is read and written only while
    // `condition` is locked; the scheduler thread sleeps on `condition`, so
    // any change that could move the earliest deadline signals it.
    private let condition = NSCondition()
    private var heap = Heap<Entry>()
    /// Live items by sequence number; a heap entry whose work is gone was cancelled.
    private var pending: [UInt64: Work] = [:]
    private var nextSequence: UInt64 = 0
    private var running = false
    private var isShutDown = false
    private var threadExited = false
    private var thread: JoinableThread?

    /// Starts the scheduler thread. The thread keeps the scheduler alive until
    /// `shutdown()`, which every owner must call.
    public init(clock: any RuntimeClock = SystemClock.shared, scale: TimeScale = .realTime, name: String = "chorus-scheduler") {
        self.clock = clock
        self.scale = scale
        condition.lock()
        defer { condition.unlock() }
        thread = JoinableThread(name: name) { self.runLoop() }
    }

    /// Schedules `work` at the monotonic `deadline` (not scaled). Returns a
    /// token for `cancel`, or nil after `shutdown`.
    @discardableResult
    public func schedule(at deadline: MonotonicInstant, _ work: @escaping Work) -> Token? {
        condition.lock()
        defer { condition.unlock() }
        guard !isShutDown else { return nil }
        let sequence = nextSequence
        nextSequence += 1
        let wasEarliest = heap.min.map { deadline < $0.deadline } ?? true
        heap.insert(Entry(deadline: deadline, sequence: sequence))
        pending[sequence] = work
        if wasEarliest { condition.broadcast() }
        return Token(rawValue: sequence)
    }

    /// Schedules `work` after `seconds` of runtime time (scaled).
    @discardableResult
    public func schedule(afterSeconds seconds: Double, _ work: @escaping Work) -> Token? {
        schedule(at: scale.deadline(afterSeconds: seconds, clock: clock), work)
    }

    /// Schedules `work` at the wall time `eta` (scaled relative to now; see `TimeScale`).
    @discardableResult
    public func schedule(atWallTime eta: Date, _ work: @escaping Work) -> Token? {
        schedule(at: scale.deadline(forWallTime: eta, clock: clock), work)
    }

    /// Cancels a pending item. Returns true if it had not started and now never will.
    @discardableResult
    public func cancel(_ token: Token) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let removed = pending.removeValue(forKey: token.rawValue) != nil
        // Compact when cancelled entries dominate, so the heap stays proportional to live work.
        if removed && heap.count > 64 && heap.count > 2 * pending.count {
            heap = Heap(heap.unordered.filter { pending[$0.sequence] != nil })
        }
        return removed
    }

    /// The number of items scheduled and not yet started or cancelled.
    public var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count
    }

    /// Blocks until nothing is due on the clock and no item is running, or
    /// until `timeout` real seconds pass. Returns false on timeout. Tests use
    /// it after `ManualClock.advance` to know the due work has run.
    @discardableResult
    public func waitUntilNoDueWork(timeout: Double = 10) -> Bool {
        let limit = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !isShutDown && (running || hasDueWorkLocked()) {
            if !condition.wait(until: limit) { return false }
        }
        return true
    }

    /// Stops the thread and drops pending work; returns how many items were
    /// dropped. Waits for a running item to finish unless called from it.
    @discardableResult
    public func shutdown() -> Int {
        condition.lock()
        let dropped = isShutDown ? 0 : pending.count
        isShutDown = true
        pending.removeAll()
        heap = Heap()
        condition.broadcast()
        if thread?.isCurrent == false {
            while !threadExited { condition.wait() }
        }
        // Joined (or, from a scheduled item, left to clean up after itself) once.
        let exited = thread
        thread = nil
        condition.unlock()
        exited?.join()
        return dropped
    }

    private func hasDueWorkLocked() -> Bool {
        dropCancelledLocked()
        guard let first = heap.min else { return false }
        return first.deadline <= clock.monotonicNow
    }

    private func dropCancelledLocked() {
        while let first = heap.min, pending[first.sequence] == nil { heap.removeMin() }
    }

    private func runLoop() {
        condition.lock()
        while !isShutDown {
            dropCancelledLocked()
            guard let first = heap.min else {
                condition.broadcast()  // idle: release `waitUntilNoDueWork`
                clock.wait(until: .distantFuture, on: condition)
                continue
            }
            if first.deadline > clock.monotonicNow {
                condition.broadcast()
                clock.wait(until: first.deadline, on: condition)
                continue
            }
            heap.removeMin()
            guard let work = pending.removeValue(forKey: first.sequence) else { continue }
            running = true
            condition.unlock()
            work()
            condition.lock()
            running = false
        }
        // `thread` stays for `shutdown` to join: a `JoinableThread` holds no
        // closure once started, so it keeps no scheduler alive.
        threadExited = true
        condition.broadcast()
        condition.unlock()
    }
}
