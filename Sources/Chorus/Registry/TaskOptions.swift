/// A task's default execution options, declared in its descriptor. Signatures
/// may override the retry options per call (see the canvas options).
public struct TaskOptions: Sendable, Hashable {
    /// The task receives the invocation context as its first C parameter.
    public var bind: Bool
    /// Acknowledge after the task ends rather than when it starts.
    public var acksLate: Bool
    /// Retries allowed after the first attempt; `nil` means unlimited.
    public var maxRetries: Int?
    /// Retry automatically when the task fails with a retryable failure.
    public var autoretry: Bool
    /// Exponential backoff factor in seconds; 0 turns backoff off.
    public var retryBackoff: Double
    /// Cap of the backoff delay, in seconds.
    public var retryBackoffMax: Double
    /// Draw backoff delays uniformly from [0, delay].
    public var retryJitter: Bool
    /// Delay before a retry when no backoff applies and no countdown was given.
    public var defaultRetryDelay: Double

    /// Celery's defaults for a task declared without options: no bind, no
    /// acks_late, 3 retries, no autoretry, no backoff (cap 600 s), jitter on,
    /// 180 s default delay.
    public static let celeryDefaults = TaskOptions(
        bind: false, acksLate: false, maxRetries: 3, autoretry: false, retryBackoff: 0,
        retryBackoffMax: 600, retryJitter: true, defaultRetryDelay: 180)

    public init(
        bind: Bool = false, acksLate: Bool = false, maxRetries: Int? = 3, autoretry: Bool = false,
        retryBackoff: Double = 0, retryBackoffMax: Double = 600, retryJitter: Bool = true,
        defaultRetryDelay: Double = 180
    ) {
        self.bind = bind
        self.acksLate = acksLate
        self.maxRetries = maxRetries
        self.autoretry = autoretry
        self.retryBackoff = retryBackoff
        self.retryBackoffMax = retryBackoffMax
        self.retryJitter = retryJitter
        self.defaultRetryDelay = defaultRetryDelay
    }
}
