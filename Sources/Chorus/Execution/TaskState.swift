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

    public var isReady: Bool { Self.ready.contains(self) }
    public var propagates: Bool { Self.propagate.contains(self) }

    public var description: String { rawValue }
}
