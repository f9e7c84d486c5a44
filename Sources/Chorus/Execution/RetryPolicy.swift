/// When a failed task runs again and how long it waits first: Celery's task
/// retry options (`autoretry_for`, `max_retries`, `retry_backoff`,
/// `retry_backoff_max`, `retry_jitter`, `default_retry_delay`) as one value.
///
/// Delays are in runtime seconds; the caller applies its `TimeScale` when it
/// turns the countdown into a wait.
public struct RetryPolicy: Sendable, Hashable {
    /// Retry automatically when the task fails (Celery: the exception is in
    /// `autoretry_for`). A task can still ask for a retry explicitly when false.
    public var autoretry: Bool
    /// How many retries after the first run; `nil` = retry forever. 3 means at most 4 runs.
    public var maxRetries: Int?
    /// Exponential backoff factor in whole seconds; 0 = no backoff. Celery's
    /// `retry_backoff=True` is 1; a number n is `Int(max(1.0, n))`.
    public var retryBackoff: Int
    /// Cap on a backoff delay, seconds.
    public var retryBackoffMax: Int
    /// With backoff, pick the delay uniformly in [0, computed] ("full jitter").
    public var retryJitter: Bool
    /// Delay when there is no backoff and no explicit countdown, seconds.
    public var defaultRetryDelay: Double

    /// Celery's defaults: no autoretry, 3 retries, no backoff, cap 600 s, jitter on, 180 s delay.
    public init(
        autoretry: Bool = false, maxRetries: Int? = 3, retryBackoff: Int = 0, retryBackoffMax: Int = 600,
        retryJitter: Bool = true, defaultRetryDelay: Double = 180
    ) {
        self.autoretry = autoretry
        self.maxRetries = maxRetries
        self.retryBackoff = retryBackoff
        self.retryBackoffMax = retryBackoffMax
        self.retryJitter = retryJitter
        self.defaultRetryDelay = defaultRetryDelay
    }

    /// Whether a task that has already been retried `retries` times (the
    /// `retries` header; 0 on the first run) may be retried again. Celery
    /// gives up once `retries + 1 > max_retries`.
    public func shouldRetry(retries: Int) -> Bool {
        guard let maxRetries else { return true }
        return retries + 1 <= maxRetries
    }

    /// The countdown, in seconds, before the next attempt of a task that has
    /// been retried `retries` times.
    ///
    /// - An `explicit` countdown (the task asked for a retry with one) wins.
    /// - With backoff: `min(retryBackoffMax, retryBackoff * 2^retries)`, then,
    ///   with jitter, a whole number uniform in [0, that] drawn from `random`
    ///   (Celery's `get_exponential_backoff_interval`), never below 0.
    /// - Otherwise `defaultRetryDelay`.
    public func countdown(forRetries retries: Int, explicit: Double? = nil, random: any RandomSource) -> Double {
        if let explicit { return max(0, explicit) }
        guard retryBackoff > 0 else { return max(0, defaultRetryDelay) }
        var delay = Self.exponential(factor: retryBackoff, retries: max(0, retries), cap: retryBackoffMax)
        if retryJitter && delay > 0 { delay = random.uniform(in: 0...delay) }
        return Double(max(0, delay))
    }

    /// `min(cap, factor * 2^retries)` without overflowing.
    static func exponential(factor: Int, retries: Int, cap: Int) -> Int {
        guard retries < Int.bitWidth - 1 else { return cap }
        let (product, overflow) = factor.multipliedReportingOverflow(by: 1 << retries)
        return overflow ? cap : min(cap, product)
    }
}

/// How many retries a signature allows (`SignatureOptions.maxRetries`):
/// one enum for the whole API.
public typealias RetryLimit = SignatureOptions.RetryLimit
