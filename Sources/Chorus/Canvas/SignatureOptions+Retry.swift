/// Retry overrides a caller may put on one signature. They override the task's
/// own defaults (Celery's task attributes of the same names) for this call only.
extension SignatureOptions {
    /// How many retries are allowed before a final failure.
    public enum RetryLimit: Sendable, Hashable {
        /// At most this many retries (so `count + 1` runs).
        case count(Int)
        /// Retry forever (Celery's `max_retries=None`, written as `null`).
        case unlimited
    }

    /// `max_retries`: `nil` when absent (use the task's default); JSON `null` means unlimited.
    public var maxRetries: RetryLimit? {
        get {
            switch self[.maxRetries] {
            case .null: .unlimited
            case let v?: v.int64Value.flatMap { Int(exactly: $0) }.map(RetryLimit.count)
            case nil: nil
            }
        }
        set {
            switch newValue {
            case .count(let n): set(.maxRetries, .int(Int64(n)))
            case .unlimited: set(.maxRetries, .null)
            case nil: set(.maxRetries, nil)
            }
        }
    }

    /// `autoretry`: retry automatically when the task fails. A Chorus option; Celery
    /// expresses this with the task attribute `autoretry_for`.
    public var autoretry: Bool? { get { self[.autoretry]?.boolValue } set { set(.autoretry, newValue.map(JSON.bool)) } }

    /// `retry_backoff` as Celery reads it: `nil` when absent, `0` when disabled
    /// (`false` or 0), `1` for `true`, otherwise the number truncated to an integer, at least 1.
    public var retryBackoffFactor: Int? {
        get {
            switch self[.retryBackoff] {
            case .bool(let b): b ? 1 : 0
            case let v?:
                v.numberValue.map { n in n == 0 ? 0 : Int(Swift.min(Swift.max(1, n), Double(Int32.max))) }
            case nil: nil
            }
        }
        set {
            switch newValue {
            case 0?: set(.retryBackoff, .bool(false))
            case let n?: set(.retryBackoff, .int(Int64(n)))
            case nil: set(.retryBackoff, nil)
            }
        }
    }

    /// `retry_backoff_max`: cap, in seconds, on the exponential backoff (Celery default 600).
    public var retryBackoffMax: Double? { get { number(.retryBackoffMax) } set { set(.retryBackoffMax, newValue.map(SignatureOptions.numberJSON)) } }
    /// `retry_jitter`: randomise the backoff ("full jitter"); only used with backoff.
    public var retryJitter: Bool? { get { self[.retryJitter]?.boolValue } set { set(.retryJitter, newValue.map(JSON.bool)) } }
    /// `default_retry_delay`: seconds before a retry that names no countdown (Celery default 180).
    public var defaultRetryDelay: Double? { get { number(.defaultRetryDelay) } set { set(.defaultRetryDelay, newValue.map(SignatureOptions.numberJSON)) } }
}
