import Foundation

/// The executor loop: claim a message, decide whether it may run (expired?
/// delivered too often?), run it, and settle the delivery.
extension Runtime {
    /// How long one claim waits for work before checking for shutdown.
    static let claimWait = 0.25

    func consume(executor index: Int) {
        var rotation = index
        let queues = configuration.queues
        // Rotate the queue order per claim so one busy queue cannot starve the
        // others; the rotations are built once, not per claim.
        let orders = queues.indices.map { Array(queues[$0...] + queues[..<$0]) }
        while !isStopping {
            let order = orders[rotation % queues.count]
            rotation &+= 1
            let delivery: Delivery?
            do {
                delivery = try broker.claim(from: order, mode: .lease(seconds: configuration.leaseSeconds), timeout: Self.claimWait)
            } catch {
                logger.error("claiming from \(order.joined(separator: ",")) failed: \(error.message)")
                usleep(200_000)
                continue
            }
            guard let delivery else { continue }
            _ = beginTask()
            execute(delivery)
            endTask()
        }
    }

    /// Runs one delivered message to an outcome and settles it with the broker.
    func execute(_ delivery: Delivery) {
        let message = delivery.message
        let run = TaskRun(message: message, queue: delivery.queue, startedAt: configuration.clock.now)
        if isExpired(message.headers) {
            guard takeOver(delivery) else { return }
            revoke(run, reason: "expired")
            return
        }
        if delivery.deliveryCount > configuration.maxDeliveries {
            guard takeOver(delivery) else { return }
            fail(run, error: TaskErrorInfo(
                type: "WorkerLostError",
                message: "the worker running \(message.taskName) was lost \(delivery.deliveryCount - 1) times (delivery limit \(configuration.maxDeliveries)); giving up"))
            return
        }
        let task: RegisteredTask
        do {
            task = try registry.task(named: message.taskName)
        } catch {
            guard takeOver(delivery) else { return }
            fail(run, error: TaskErrorInfo(type: "NotRegistered", message: error.message))
            return
        }
        // Early ack (Celery's default): the message is gone once the task starts.
        // acks_late keeps the lease, renewed while the task runs, and acks at the end.
        var renewal: LeaseRenewal?
        // The early ack and the STARTED records are one write batch; if it
        // cannot be stored the task does not run, and its lease will lapse.
        let begun = inWriteBatch { () -> Bool in
            if !task.options.acksLate {
                guard takeOver(delivery) else { return false }
            }
            started(run)
            return true
        }
        guard begun == true else { return }
        if task.options.acksLate { renewal = LeaseRenewal(runtime: self, delivery: delivery) }
        let request = InvocationRequest(
            taskID: message.id, retries: message.headers.retries, timeScale: configuration.timeScale,
            rootID: message.headers.rootID, parentID: message.headers.parentID, groupID: message.headers.group)
        let outcome: InvocationOutcome
        do {
            outcome = try Invoker.invoke(task, args: message.args, kwargs: message.kwargs, request: request, services: services)
        } catch {
            outcome = .failure(message: error.message, retryable: false)
        }
        renewal?.stop()
        // Results, attempt records, follow-up messages, chord counts and the late
        // ack are one write batch: stored together or not at all.
        _ = inWriteBatch { () -> Bool in
            PersistenceFailure.reset()
            // The policy is only built when the outcome needs it (not on success).
            handle(outcome, of: run, policy: RetryPolicy(task: task.options).overridden(by: MessageBuilder.retryOverrides(message.headers)))
            if renewal != nil {
                // An outcome that could not be stored (full disk, locked database) must
                // not be acknowledged: the lease lapses and the task runs again.
                if PersistenceFailure.happened {
                    logger.error("\(run.name)[\(run.id)]: its outcome could not be stored; leaving it to be delivered again")
                } else {
                    settle(delivery)
                }
            }
            return true
        }
    }

    /// Runs `body` inside one write transaction when the broker, result store
    /// and state store are one database (the SQLite backend): every store,
    /// publish and ack the body makes on this thread joins it, so a task's
    /// bookkeeping costs one commit instead of several. Returns nil — and
    /// records a persistence failure — when that commit fails, in which case
    /// none of the body's writes happened. Elsewhere it just runs `body`.
    func inWriteBatch(_ body: () -> Bool) -> Bool? {
        guard batchesWrites else { return body() }
        let transaction: StateTransaction
        do {
            transaction = try state.beginTransaction(broker: nil)
        } catch {
            logger.error("starting a write batch failed: \(error.message)")
            PersistenceFailure.record()
            return nil
        }
        let result = body()
        guard result else {
            transaction.rollback()
            return result
        }
        do {
            try transaction.commit()
            return result
        } catch {
            logger.error("committing a task's records failed: \(error.message)")
            PersistenceFailure.record()
            return nil
        }
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
    func isExpired(_ headers: TaskHeaders) -> Bool {
        guard let expires = headers.expires else { return false }
        let now = configuration.clock.now
        guard scale.factor != 1, case .string(let text)? = headers.extra[MessageBuilder.sentHeader],
            let sent = CeleryDate.parse(text)
        else { return now >= expires }
        return now >= sent.addingTimeInterval(scale.interval(expires.timeIntervalSince(sent)))
    }

    /// The services a running task reaches through the host API.
    var services: RuntimeServices { RuntimeServices(runtime: self) }
}

/// Everything known about one attempt while it runs and is settled.
struct TaskRun {
    let message: TaskMessage
    /// The queue it came from; a retry goes back there.
    let queue: String
    let startedAt: Date

    var id: String { message.id }
    var name: String { message.taskName }
    var headers: TaskHeaders { message.headers }
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
