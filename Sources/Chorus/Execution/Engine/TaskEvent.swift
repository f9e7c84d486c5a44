import Foundation

/// A state change of one task attempt, as the runtime reports it to
/// observers (the CLI's live progress, tests). Modelled on Celery's task events.
public struct TaskEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// Published and waiting (now or for its eta).
        case sent
        case started
        case succeeded
        /// Will run again after `countdown` (runtime seconds).
        case retried
        case failed
        /// Not run: expired or revoked.
        case revoked
    }

    public var kind: Kind
    public var taskID: String
    public var taskName: String
    /// 1 for the first run, n + 1 for the n-th retry.
    public var attempt: Int
    public var rootID: String?
    public var parentID: String?
    public var groupID: String?
    public var time: Date
    public var result: JSON?
    public var error: String?
    public var countdown: Double?

    public init(
        kind: Kind, taskID: String, taskName: String, attempt: Int, rootID: String? = nil, parentID: String? = nil,
        groupID: String? = nil, time: Date, result: JSON? = nil, error: String? = nil, countdown: Double? = nil
    ) {
        self.kind = kind
        self.taskID = taskID
        self.taskName = taskName
        self.attempt = attempt
        self.rootID = rootID
        self.parentID = parentID
        self.groupID = groupID
        self.time = time
        self.result = result
        self.error = error
        self.countdown = countdown
    }
}
