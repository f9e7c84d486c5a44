/// How a task invocation ended.
public enum InvocationOutcome: Sendable, Hashable {
    /// The task returned; its result as JSON.
    case success(JSON)
    /// The task failed. `retryable` is false for `fail_permanent`, for results
    /// the host could not accept, and for arguments that did not bind.
    case failure(message: String, retryable: Bool)
    /// The task asked to run again (`host->retry`), after `countdown` seconds
    /// or, when `nil`, after the delay its retry policy gives.
    case retry(countdown: Double?, message: String?)
}
