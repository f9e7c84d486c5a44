/// The state of one task id, as Celery names and stores it (`status` in the
/// result meta). Raw values are Celery's exact strings.
///
/// PENDING is never stored (it means "no result yet"); RECEIVED is only an
/// event. Celery's internal REJECTED and IGNORED trace states are never
/// stored either, so they are not modelled here.
public enum TaskState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case pending = "PENDING"
    case received = "RECEIVED"
    case started = "STARTED"
    case retry = "RETRY"
    case success = "SUCCESS"
    case failure = "FAILURE"
    case revoked = "REVOKED"

    /// Final states: the task will not run again (Celery `READY_STATES`).
    public static let ready: Set<TaskState> = [.success, .failure, .revoked]
    /// Non-final states (Celery `UNREADY_STATES`, minus the unstored REJECTED).
    public static let unready: Set<TaskState> = [.pending, .received, .started, .retry]
    /// States whose result is an exception (Celery `EXCEPTION_STATES`).
    public static let exception: Set<TaskState> = [.retry, .failure, .revoked]
    /// States that re-raise when a caller asks for the result (Celery `PROPAGATE_STATES`).
    public static let propagate: Set<TaskState> = [.failure, .revoked]

    // Switches, not `Set.contains`: these are asked on every result stored
    // and hashing an enum per call showed up in profiles. Keep them in step
    // with `ready` and `propagate` above.
    public var isReady: Bool {
        switch self {
        case .success, .failure, .revoked: true
        case .pending, .received, .started, .retry: false
        }
    }
    /// Whether an attempt in this state is over: a ready state, or RETRY
    /// (the next attempt is another record).
    var endsAttempt: Bool {
        switch self {
        case .success, .failure, .revoked, .retry: true
        case .pending, .received, .started: false
        }
    }
    public var propagates: Bool {
        switch self {
        case .failure, .revoked: true
        case .pending, .received, .started, .retry, .success: false
        }
    }

    public var description: String { rawValue }
}
