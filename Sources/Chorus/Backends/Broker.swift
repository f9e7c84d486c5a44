/// Moves task messages from publishers to workers: the narrow interface every
/// transport (in-memory, SQLite, later a Celery-compatible Redis) implements.
///
/// **Synchronous by design.** The engine runs tasks on `WorkerPool` threads
/// and a durable backend does blocking I/O, so every method is a plain
/// blocking call that returns or throws `ChorusError` (`.backend` for storage
/// failures). Implementations are safe to call from any thread. Never call
/// them from the Swift concurrency cooperative pool.
///
/// **Delivery model.**
/// - `publish` stores a message on a queue. A message whose `headers.eta` is in
///   the future stays invisible until then (the broker keeps it, not the
///   worker, so a far eta never trips a visibility timeout). The wait until the
///   eta is scaled by the broker's `TimeScale`, measured from publish time.
/// - `claim` hands out the next due message of the first non-empty queue, in
///   the order the queues are given (callers rotate the list for fairness).
/// - `ClaimMode.removeOnClaim` deletes the message at claim (Celery's default
///   early ack: at most once). `ClaimMode.lease` keeps it invisible for a
///   lease; `ack` deletes it, `reject(requeue:)` drops or requeues it, and a
///   lease that lapses (a lost worker) makes it visible again at the FRONT of
///   its queue with `deliveryCount + 1` (acks_late: at least once).
public protocol Broker: AnyObject, Sendable {
    /// Stores `message` on `queue`, visible now or at `message.headers.eta`.
    func publish(_ message: TaskMessage, to queue: String) throws(ChorusError)

    /// Stores several messages, in order, as `publish` would one by one (the
    /// members of a group or chord). Default: `publish` each; a broker that
    /// can store them at once (one lock, one wake-up) does.
    func publish(_ batch: [(message: TaskMessage, queue: String)]) throws(ChorusError)

    /// The next due message from `queues`, or nil if none became due within
    /// `timeout` seconds of the broker's clock (literal, not scaled; 0 = don't wait).
    func claim(from queues: [String], mode: ClaimMode, timeout: Double) throws(ChorusError) -> Delivery?

    /// Deletes a leased message for good. False if the lease was no longer held
    /// (it lapsed and the message was redelivered, or it was already settled).
    @discardableResult
    func ack(_ delivery: Delivery) throws(ChorusError) -> Bool

    /// Gives a claimed message back: dropped, or with `requeue` put at the BACK of
    /// its queue (kombu's LPUSH). False if the lease was no longer held.
    @discardableResult
    func reject(_ delivery: Delivery, requeue: Bool) throws(ChorusError) -> Bool

    /// Pushes a lease's deadline to `seconds` (runtime, scaled) from now: the
    /// heartbeat of a long acks_late task. False if the lease was no longer held.
    @discardableResult
    func extendLease(_ delivery: Delivery, seconds: Double) throws(ChorusError) -> Bool

    /// Up to `limit` due messages at once, leased for `leaseSeconds` (runtime,
    /// scaled), in claim order — a worker's prefetch (Celery's
    /// `worker_prefetch_multiplier`); empty if none became due within
    /// `timeout` seconds. The worker holds them until it runs them one by one,
    /// each after `begin`, and gives back the ones it never started with
    /// `release`. A prefetched delivery counts as a delivery (towards
    /// `deliveryCount` of later ones) only once `begin` said it started: a
    /// lease that lapses on a message its holder never started redelivers it
    /// with the same count. Default: one `claim` with a lease (which counts
    /// at claim).
    func prefetch(from queues: [String], leaseSeconds: Double, limit: Int, timeout: Double) throws(ChorusError) -> [Delivery]

    /// Marks a leased delivery as started now: renews its lease for `seconds`
    /// and counts the delivery. False if the lease was no longer held (it
    /// lapsed and the message went to another worker): do not run it.
    /// Default: `extendLease`.
    @discardableResult
    func begin(_ delivery: Delivery, leaseSeconds seconds: Double) throws(ChorusError) -> Bool

    /// Gives back prefetched deliveries that were never started, at the FRONT
    /// of their queues, not counted as deliveries (warm shutdown, or a holder
    /// busy for too long). Deliveries whose lease was lost are skipped.
    /// Default: `reject(requeue: true)` each (the back of the queue).
    func release(_ deliveries: [Delivery]) throws(ChorusError)

    /// Blocks until a message of `queues` is due, or `timeout` seconds pass,
    /// without claiming it: true when one is due now (another worker may
    /// still take it first), false on timeout. Nil — the default — when the
    /// broker cannot wait without claiming; workers then claim with a timeout.
    func waitForDue(in queues: [String], timeout: Double) throws(ChorusError) -> Bool?
}

extension Broker {
    public func publish(_ batch: [(message: TaskMessage, queue: String)]) throws(ChorusError) {
        for (message, queue) in batch { try publish(message, to: queue) }
    }

    public func prefetch(from queues: [String], leaseSeconds: Double, limit: Int, timeout: Double) throws(ChorusError) -> [Delivery] {
        guard let delivery = try claim(from: queues, mode: .lease(seconds: leaseSeconds), timeout: timeout) else { return [] }
        return [delivery]
    }

    @discardableResult
    public func begin(_ delivery: Delivery, leaseSeconds seconds: Double) throws(ChorusError) -> Bool {
        try extendLease(delivery, seconds: seconds)
    }

    public func release(_ deliveries: [Delivery]) throws(ChorusError) {
        for delivery in deliveries { try reject(delivery, requeue: true) }
    }

    public func waitForDue(in queues: [String], timeout: Double) throws(ChorusError) -> Bool? { nil }
}

/// How `Broker.claim` hands a message out.
public enum ClaimMode: Sendable, Hashable {
    /// Delete at claim: a crash after this loses the task (Celery acks_late=False).
    case removeOnClaim
    /// Keep for `seconds` of runtime time (scaled), then redeliver unless acked,
    /// rejected or extended (Celery acks_late=True; the lease is the visibility timeout).
    case lease(seconds: Double)
}

/// One handed-out message and what the broker needs to settle it.
public struct Delivery: Sendable, Hashable {
    /// Identifies this delivery; a redelivery gets a new tag.
    public var tag: String {
        switch key {
        case .text(let text): text
        case .number(let number): "d\(number)"
        }
    }
    /// The tag as the broker made it: a number costs no string formatting
    /// and hashing on every claim and ack (the memory broker's hot path).
    let key: Key

    enum Key: Sendable, Hashable {
        case text(String)
        case number(UInt64)
    }
    public let message: TaskMessage
    /// The queue it was claimed from; requeues go back there.
    public let queue: String
    /// 1 on first delivery, +1 for each lapsed lease or requeue.
    public let deliveryCount: Int
    /// Whether the lease of an earlier delivery lapsed (kombu's `redelivered`).
    public let redelivered: Bool
    /// The lease deadline at claim time; nil for `removeOnClaim`.
    public let leaseDeadline: MonotonicInstant?

    public init(
        tag: String, message: TaskMessage, queue: String, deliveryCount: Int, redelivered: Bool,
        leaseDeadline: MonotonicInstant?
    ) {
        self.init(key: .text(tag), message: message, queue: queue, deliveryCount: deliveryCount, redelivered: redelivered, leaseDeadline: leaseDeadline)
    }

    init(
        key: Key, message: TaskMessage, queue: String, deliveryCount: Int, redelivered: Bool, leaseDeadline: MonotonicInstant?
    ) {
        self.key = key
        self.message = message
        self.queue = queue
        self.deliveryCount = deliveryCount
        self.redelivered = redelivered
        self.leaseDeadline = leaseDeadline
    }
}
