import Foundation

/// The executor loop: take a delivery, decide whether it may run (expired?
/// delivered too often?), run it, and settle it.
///
/// Each executor commits once per task, or once per few short tasks: one
/// write batch (one SQLite transaction on the SQLite backend) stores the
/// outcomes of the tasks it just ran — results, attempts, follow-up
/// messages, late acks — and begins the next ones — their early acks, or for
/// acks_late the renewed and counted lease, and STARTED — claiming more
/// messages in the same batch when none are held. An early ack is always
/// committed before its task runs. Only an executor that found no work waits,
/// outside any transaction, and takes the next message in a batch of its own.
///
/// While tasks take microseconds, a batch begins several (up to about
/// `BeginSizer.window` of work, at most `configuration.beginBatch`), so that their commits are shared;
/// one task at a time as soon as they take longer. An acks_late task is
/// only ever begun alone, so that no lease waits unrenewed behind another task.
/// In process (no database) tasks are begun one at a time.
///
/// Prefetch: a claim takes up to `configuration.prefetch` messages (more,
/// up to `prefetchBurst`, while tasks finish within milliseconds: see
/// `ClaimSizer`); the ones not begun at once wait in `prefetched`, shared by
/// this runtime's executors. Each is begun just before it runs, and `Broker.begin` (or the
/// early ack) reports a lease that lapsed meanwhile — the message went to
/// another worker — so it is skipped. A prefetched message counts as a
/// delivery only once begun: a crash of this process redelivers the ones it
/// never started with their count unchanged, so a poison task's crashes do
/// not push its neighbours towards `WorkerLostError`. Unstarted ones go back
/// to the front of their queue, uncounted, at warm shutdown, and when every
/// executor stayed busy for `prefetchHold` seconds (so long tasks do not sit
/// on work other workers could run).
extension Runtime {
    /// How long one claim waits for work before checking for shutdown.
    static let claimWait = 0.25
    /// Real seconds prefetched messages may wait for a free executor before
    /// they are given back.
    static let prefetchHold = 1.0

    func consume(executor index: Int) {
        var rotation = index
        let queues = configuration.queues
        // Rotate the queue order per claim so one busy queue cannot starve the
        // others; the rotations are built once, not per claim.
        let orders = queues.indices.map { Array(queues[$0...] + queues[..<$0]) }
        var waited = Wait.mayBeDue
        // One per executor, reused: a batch per task was an allocation per task.
        let batch = Batch(
            sizer: ClaimSizer(prefetch: configuration.prefetch, burst: configuration.prefetchBurst),
            beginSizer: BeginSizer(limit: configuration.beginBatch))
        while true {
            let stopping = isStopping
            let order = orders[rotation % queues.count]
            rotation &+= 1
            let begunAny = advance(batch, order: stopping ? nil : order, after: waited)
            waited = .mayBeDue
            if begunAny {
                // Timed only where batches begin several (two clock reads per task in process).
                let start = batchesWrites ? DispatchTime.now().uptimeNanoseconds : 0
                for started in batch.begun { batch.finishing.append(run(started)) }
                if batchesWrites {
                    batch.beginSizer.ran(batch.begun.count, nanoseconds: DispatchTime.now().uptimeNanoseconds &- start)
                }
                continue
            }
            if stopping { break }
            waited = waitForWork(order)
            if case .claimed(let deliveries) = waited { batch.sizer.claimed(deliveries.count) }
        }
        releasePrefetched(prefetched.takeAll())
    }

    /// What an idle executor's wait for work found.
    private enum Wait {
        /// A message may be due: claim in the next batch.
        case mayBeDue
        /// Nothing came due.
        case nothing
        /// The broker could not wait without claiming, and these came.
        case claimed([Delivery])
    }

    /// Blocks until work may be there: until a message is due, when the
    /// broker can tell without claiming it (the next `advance` claims it in
    /// its batch), else by claiming with a timeout.
    private func waitForWork(_ order: [String]) -> Wait {
        do {
            if let due = try broker.waitForDue(in: order, timeout: Self.claimWait) { return due ? .mayBeDue : .nothing }
            let claimed = try broker.prefetch(
                from: order, leaseSeconds: configuration.leaseSeconds, limit: configuration.prefetch, timeout: Self.claimWait)
            return claimed.isEmpty ? .nothing : .claimed(claimed)
        } catch {
            logger.error("claiming from \(order.joined(separator: ",")) failed: \(error.message)")
            usleep(200_000)
            return .mayBeDue
        }
    }

    /// One write batch: stores the outcomes in `batch.finishing` (emptied
    /// after), then begins the next deliveries of `order` into `batch.begun`
    /// (held, else claimed here unless nothing finishes and nothing
    /// `mayBeDue`), settling on the way any that must not run. False when
    /// none was begun (or `order` is nil: stopping) or the batch could not be
    /// committed.
    private func advance(_ batch: Batch, order: [String]?, after waited: Wait) -> Bool {
        let finishing = !batch.finishing.isEmpty
        var claimed: [Delivery] = []
        switch waited {
        case .claimed(let deliveries): claimed = deliveries
        case .nothing:
            // An idle executor whose wait found nothing does not open a batch.
            guard finishing || (order != nil && !prefetched.isEmpty) else { return false }
        case .mayBeDue:
            guard finishing || order != nil else { return false }
        }
        // One count covers the deliveries settled here without running, and
        // passes to the tasks begun here, if any; `finishing` held its own.
        _ = beginTask()
        batch.reset(order: order, beginLimit: batchesWrites ? batch.beginSizer.nextLimit : 1)
        batch.held = claimed
        if batchesWrites, let order, finishing, prefetched.isEmpty {
            // Under load, claim in a short transaction of its own before the
            // batch: the broker decodes the messages after that commit,
            // outside the write lock, where decoding does not hold up the other
            // workers. An idle executor (nothing finishing) claims inside its
            // batch instead, saving a commit on the way to its first task.
            // If it found nothing, the batch looks again after storing the
            // outcome: a chain's next step, published by it, is begun at once.
            let claimed = claim(order, limit: batch.sizer.nextLimit())
            batch.sizer.claimed(claimed.count)
            hold(claimed)
            if !claimed.isEmpty { batch.claimed = true }
        }
        let committed = batchesWrites ? inWriteBatch { [self] in write(batch) } : write(batch)
        if finishing {
            batch.finishing.clearKeepingCapacity()
            endTask()
        }
        guard committed == true else {
            // Nothing of the batch happened: the held deliveries are still
            // ours and unstarted; the ones claimed here never were.
            batch.begun.removeAll(keepingCapacity: true)
            putBack(batch.taken + batch.held)
            endTask()
            usleep(200_000)
            return false
        }
        // One found to be acks_late after others were begun waits for the next batch, first.
        if let deferred = batch.deferred { putBack([deferred]) }
        hold(batch.held)
        hold(batch.claimedHere)
        if batch.begun.isEmpty { endTask() }
        return !batch.begun.isEmpty
    }

    /// What one `advance` batch works on; a class, so the batch body (which
    /// may run on another executor's thread, see `GroupCommit`) and the
    /// executor share it without copying. Each executor reuses one: `advance`
    /// waits for its body, so two batches never share it at once.
    ///
    /// `@exclusivity(unchecked)`: only the executor that owns it, or the
    /// thread running its body while the executor waits, touches it (the
    /// dynamic checks cost a runtime call per access).
    private final class Batch {
        /// The tasks run since the last batch, whose outcomes it stores.
        @exclusivity(unchecked) var finishing: [FinishedTask] = []
        @exclusivity(unchecked) private(set) var order: [String]?
        /// Claimed before, by this executor's wait: ours either way, taken first.
        @exclusivity(unchecked) var held: [Delivery] = []
        /// Claimed in this batch: ours only if it commits.
        @exclusivity(unchecked) var claimedHere: [Delivery] = []
        /// Taken from `prefetched`: ours either way.
        @exclusivity(unchecked) var taken: [Delivery] = []
        @exclusivity(unchecked) var claimed = false
        /// The task begun last by this executor (see `begin`); kept across batches.
        @exclusivity(unchecked) var lastTask: RegisteredTask?
        /// How much this executor claims at a time; kept across batches.
        @exclusivity(unchecked) var sizer: ClaimSizer
        /// How many tasks this executor begins at a time; kept across batches.
        @exclusivity(unchecked) var beginSizer: BeginSizer
        /// The most this batch begins.
        @exclusivity(unchecked) private(set) var beginLimit = 1
        /// The tasks begun by this batch, in order, to run after it.
        @exclusivity(unchecked) var begun: [StartedTask] = []
        /// A delivery taken but not begun: an acks_late task after others.
        @exclusivity(unchecked) var deferred: Delivery?

        init(sizer: ClaimSizer, beginSizer: BeginSizer) {
            self.sizer = sizer
            self.beginSizer = beginSizer
        }

        /// Empties the batch for the next `advance` (but `finishing`, which
        /// the executor filled), keeping the arrays' storage.
        func reset(order: [String]?, beginLimit: Int) {
            self.order = order
            self.beginLimit = beginLimit
            // Guarded: emptying an empty array still went through a generic replace.
            if !held.isEmpty { held.removeAll(keepingCapacity: true) }
            if !claimedHere.isEmpty { claimedHere.removeAll(keepingCapacity: true) }
            taken.clearKeepingCapacity()
            begun.clearKeepingCapacity()
            claimed = false
            deferred = nil
        }
    }

    /// The body of an `advance` batch.
    private func write(_ batch: Batch) -> Bool {
        for finishing in batch.finishing { finish(finishing) }
        guard let order = batch.order else { return true }
        while batch.begun.count < batch.beginLimit {
            let delivery: Delivery
            if !batch.held.isEmpty {
                let first = batch.held.removeFirst()
                batch.taken.append(first)
                delivery = first
            } else if !batch.claimedHere.isEmpty {
                delivery = batch.claimedHere.removeFirst()
            } else if let held = prefetched.pop() {
                batch.taken.append(held)
                delivery = held
            } else if !batch.claimed {
                batch.claimed = true
                batch.claimedHere = claim(order, limit: batch.sizer.nextLimit())
                batch.sizer.claimed(batch.claimedHere.count)
                if batch.claimedHere.isEmpty { break }
                continue
            } else {
                break
            }
            switch begin(delivery, alone: batch.begun.isEmpty, lastTask: &batch.lastTask) {
            case .started(let started):
                batch.begun.append(started)
                if started.task.options.acksLate { return true }
            case .settled:
                continue
            case .deferred:
                batch.deferred = delivery
                return true
            }
        }
        return true
    }

    /// What `begin` did with a delivery.
    private enum BeginOutcome {
        /// Begun: run it after the batch.
        case started(StartedTask)
        /// Settled without running (expired, delivered too often, unknown),
        /// or left alone because another worker owns it now.
        case settled
        /// Not touched: an acks_late task, and the batch began others (`alone` false).
        case deferred
    }

    /// Claims what is due now (up to `limit`), logging a failure.
    private func claim(_ order: [String], limit: Int) -> [Delivery] {
        do throws(ChorusError) {
            return try broker.prefetch(from: order, leaseSeconds: configuration.leaseSeconds, limit: limit, timeout: 0)
        } catch {
            logger.error("claiming from \(order.joined(separator: ",")) failed: \(error.message)")
            return []
        }
    }

    /// Decides, inside a write batch, whether `delivery` runs: an expired,
    /// too often delivered or unknown task is settled here instead (nil). A
    /// runnable one is begun — early-acked, or its lease renewed and the
    /// delivery counted (acks_late) — and recorded STARTED. Nil too when the
    /// lease lapsed before this (the message went to another worker).
    /// `lastTask`: the task this executor began last, reused while messages
    /// name it (tasks are never unregistered, so it stays the registered
    /// one); a registry lookup — a read lock and a string hash — was about
    /// 1,200 instructions per task in process.
    private func begin(_ delivery: Delivery, alone: Bool, lastTask: inout RegisteredTask?) -> BeginOutcome {
        let message = delivery.message
        let run = TaskRun(message: message, queue: delivery.queue, startedAt: configuration.clock.now)
        if isExpired(message) {
            if takeOver(delivery) { revoke(run, reason: "expired") }
            return .settled
        }
        if delivery.deliveryCount > configuration.maxDeliveries {
            if takeOver(delivery) {
                fail(run, error: TaskErrorInfo(
                    type: "WorkerLostError",
                    message: "the worker running \(message.taskName) was lost \(delivery.deliveryCount - 1) times (delivery limit \(configuration.maxDeliveries)); giving up"))
            }
            return .settled
        }
        let task: RegisteredTask
        do {
            if let last = lastTask, last.name == message.taskName {
                task = last
            } else {
                task = try registry.task(named: message.taskName)
                lastTask = task
            }
        } catch {
            if takeOver(delivery) { fail(run, error: TaskErrorInfo(type: "NotRegistered", message: error.message)) }
            return .settled
        }
        // Early ack (Celery's default): the message is gone once the task starts.
        // acks_late keeps the lease, renewed while the task runs, and acks at the end.
        if task.options.acksLate {
            guard alone else { return .deferred }
            guard keepLease(delivery) else { return .settled }
        } else {
            guard takeOver(delivery) else { return .settled }
        }
        started(run)
        return .started(StartedTask(run: run, task: task, delivery: delivery))
    }

    /// Runs a begun task (outside any write batch); its outcome is stored by
    /// the next `advance`.
    private func run(_ started: StartedTask) -> FinishedTask {
        let message = started.run.message
        let renewal = started.task.options.acksLate ? LeaseRenewal(runtime: self, delivery: started.delivery) : nil
        let request = InvocationRequest(
            taskID: message.id, retries: message.headers.retries, timeScale: configuration.timeScale,
            rootID: message.headers.rootID, parentID: message.headers.parentID, groupID: message.headers.group)
        let outcome: InvocationOutcome
        do {
            outcome = try Invoker.invoke(started.task, args: message.args, kwargs: message.kwargs, request: request, services: services)
        } catch {
            outcome = .failure(message: error.message, retryable: false)
        }
        renewal?.stop()
        return FinishedTask(started: started, outcome: outcome)
    }

    /// Inside a write batch: results, attempt records, follow-up messages,
    /// chord counts and the late ack of a task that ran — stored together or
    /// not at all.
    private func finish(_ finished: FinishedTask) {
        let run = finished.started.run
        let task = finished.started.task
        PersistenceFailure.reset()
        // The policy is only built when the outcome needs it (not on success).
        handle(finished.outcome, of: run, policy: RetryPolicy(task: task.options).overridden(by: MessageBuilder.retryOverrides(run.headers)))
        if task.options.acksLate {
            // An outcome that could not be stored (full disk, locked database) must
            // not be acknowledged: the lease lapses and the task runs again.
            if PersistenceFailure.happened {
                logger.error("\(run.name)[\(run.id)]: its outcome could not be stored; leaving it to be delivered again")
            } else {
                settle(finished.started.delivery)
            }
        }
    }

    // MARK: - Prefetched deliveries

    /// Adds claimed, unstarted deliveries to `prefetched`, and makes sure a
    /// check gives them back if they wait too long.
    private func hold(_ deliveries: [Delivery]) {
        guard !deliveries.isEmpty else { return }
        let now = configuration.clock.monotonicNow
        if prefetched.append(deliveries, at: now) { scheduleStaleCheck(at: now.advanced(bySeconds: Self.prefetchHold)) }
    }

    /// `hold`, but in front of those held: deliveries taken out and not begun.
    private func putBack(_ deliveries: [Delivery]) {
        guard !deliveries.isEmpty else { return }
        let now = configuration.clock.monotonicNow
        if prefetched.putBack(deliveries, at: now) { scheduleStaleCheck(at: now.advanced(bySeconds: Self.prefetchHold)) }
    }

    private func scheduleStaleCheck(at deadline: MonotonicInstant) {
        _ = scheduler.schedule(at: deadline) { [weak self] in self?.releaseStalePrefetched() }
    }

    /// On the scheduler thread: gives back what waited `prefetchHold` seconds
    /// for a free executor, and checks again while anything is held.
    func releaseStalePrefetched() {
        let now = configuration.clock.monotonicNow
        let (stale, oldestLeft) = prefetched.takeStale(bufferedBy: now.advanced(bySeconds: -Self.prefetchHold))
        releasePrefetched(stale)
        if let oldestLeft { scheduleStaleCheck(at: oldestLeft.advanced(bySeconds: Self.prefetchHold)) }
    }

    /// Gives unstarted deliveries back to the broker, logging (not throwing)
    /// a failure: their leases then lapse and they are delivered again.
    private func releasePrefetched(_ deliveries: [Delivery]) {
        guard !deliveries.isEmpty else { return }
        do {
            try broker.release(deliveries)
        } catch {
            logger.error("giving back \(deliveries.count) prefetched messages failed: \(error.message)")
        }
    }

    /// Runs `body` inside one write transaction when the broker, result store
    /// and state store are one database (the SQLite backend): every store,
    /// publish and ack the body makes joins it, so a task's bookkeeping costs
    /// one commit instead of several — shared with the batches of other
    /// executors of this process ready at the same time (`GroupCommit`; the
    /// body may run on another executor's thread). Returns nil — and records
    /// a persistence failure — when that commit fails, in which case none of
    /// the body's writes happened. Elsewhere it just runs `body`.
    func inWriteBatch(_ body: @escaping () -> Bool) -> Bool? {
        guard batchesWrites else { return body() }
        let result = writeGroup.run(body, begin: { () -> StateTransaction? in
            do throws(ChorusError) {
                return try state.beginTransaction(broker: nil)
            } catch {
                logger.error("starting a write batch failed: \(error.message)")
                return nil
            }
        }, failed: { error in
            logger.error("committing a task's records failed: \(error.message)")
        })
        if result == nil { PersistenceFailure.record() }
        return result
    }

    /// Early ack before acting on a delivery. False when the broker says the
    /// lease was no longer held: it lapsed between claim and ack (a stalled
    /// executor; with a small time scale the lease is short) and the message
    /// was redelivered, so another executor owns it now and this one must not
    /// run it too — that ran early-ack tasks twice. A broker error is logged
    /// and the delivery kept, as before.
    func takeOver(_ delivery: Delivery) -> Bool {
        do {
            guard try broker.ack(delivery) else {
                logger.warning("\(delivery.message.taskName)[\(delivery.message.id)]: lease lapsed before the ack; redelivered, not running it here")
                return false
            }
        } catch {
            logger.error("acknowledging \(delivery.message.id) failed: \(error.message)")
        }
        return true
    }

    /// Begins an acks_late delivery: renews its lease and counts it. False
    /// when the lease was no longer held (see `takeOver`); a broker error is
    /// logged and the delivery kept.
    func keepLease(_ delivery: Delivery) -> Bool {
        do {
            guard try broker.begin(delivery, leaseSeconds: configuration.leaseSeconds) else {
                logger.warning("\(delivery.message.taskName)[\(delivery.message.id)]: lease lapsed before it started; redelivered, not running it here")
                return false
            }
        } catch {
            logger.error("renewing the lease of \(delivery.message.id) failed: \(error.message)")
        }
        return true
    }

    /// Acknowledges a delivery, logging (not throwing) a broker failure: the
    /// outcome is already stored, and a lease that lapses only redelivers.
    func settle(_ delivery: Delivery) {
        do {
            try broker.ack(delivery)
        } catch {
            logger.error("acknowledging \(delivery.message.id) failed: \(error.message)")
        }
    }

    /// Whether the message's `expires` has passed on the runtime's scaled clock:
    /// the time from sending to expiry is scaled like every other wait.
    /// Takes the message, not its headers: passing those copied them (every
    /// string in them retained and released) once per task.
    func isExpired(_ message: TaskMessage) -> Bool {
        guard let expires = message.headers.expires else { return false }
        let now = configuration.clock.now
        guard scale.factor != 1, case .string(let text)? = message.headers.extra[MessageBuilder.sentHeader],
            let sent = CeleryDate.parse(text)
        else { return now >= expires }
        return now >= sent.addingTimeInterval(scale.interval(expires.timeIntervalSince(sent)))
    }

    /// The services a running task reaches through the host API.
    var services: RuntimeServices { RuntimeServices(runtime: self) }
}

/// A task begun in a write batch, to run outside it. A class: it is passed
/// from batch to executor to the next batch, and copying its message on
/// every hand-over showed in the in-process profile.
final class StartedTask {
    let run: TaskRun
    let task: RegisteredTask
    let delivery: Delivery

    init(run: TaskRun, task: RegisteredTask, delivery: Delivery) {
        self.run = run
        self.task = task
        self.delivery = delivery
    }
}

/// A task that ran, its outcome not stored yet. A struct: it only pairs the
/// begun task (a class) with its outcome, so copying it allocates nothing.
struct FinishedTask {
    let started: StartedTask
    let outcome: InvocationOutcome
}

/// Everything known about one attempt while it runs and is settled.
struct TaskRun {
    let message: TaskMessage
    /// The queue it came from; a retry goes back there.
    let queue: String
    let startedAt: Date

    var id: String { message.id }
    var name: String { message.taskName }
    /// Yielded, not returned: a copy retained every string of the headers,
    /// and the outcome code reads several fields through it per task.
    var headers: TaskHeaders { _read { yield message.headers } }
    var attempt: Int { message.headers.retries + 1 }
    /// The chord this task is a header member of: its group and body.
    var chordBody: JSON? { message.embed.chord }
}

/// Keeps an acks_late message's lease alive while its task runs, by
/// extending it every third of the lease on the scheduler thread.
///
/// `@unchecked Sendable`: `token` and `stopped` are only touched under `lock`.
final class LeaseRenewal: @unchecked Sendable {
    private let lock = NSLock()
    private var token: Scheduler.Token?
    private var stopped = false
    private weak var runtime: Runtime?
    private let delivery: Delivery

    init(runtime: Runtime, delivery: Delivery) {
        self.runtime = runtime
        self.delivery = delivery
        scheduleNext()
    }

    private func scheduleNext() {
        guard let runtime else { return }
        let interval = runtime.configuration.leaseSeconds / 3
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        token = runtime.scheduler.schedule(afterSeconds: interval) { [self] in
            guard let runtime = self.runtime else { return }
            _ = try? runtime.broker.extendLease(delivery, seconds: runtime.configuration.leaseSeconds)
            scheduleNext()
        }
    }

    func stop() {
        lock.lock()
        stopped = true
        let pending = token
        lock.unlock()
        if let pending, let runtime { _ = runtime.scheduler.cancel(pending) }
    }
}

/// Whether storing a result or an attempt failed on this thread since the last
/// `reset()`: the executor then leaves an acks_late message unacknowledged.
enum PersistenceFailure {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static func reset() { pthread_setspecific(key, nil) }
    static func record() { pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1)) }
    static var happened: Bool { pthread_getspecific(key) != nil }
}
