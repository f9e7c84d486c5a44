import Foundation

/// One run of one task id: Chorus's attempt history, which Celery does not
/// keep (it overwrites the result meta on every retry). Lets an operator see
/// every try of a workflow, why each failed and how long the next one waited.
public struct AttemptRecord: Sendable, Hashable {
    public var taskID: String
    public var taskName: String
    public var rootID: String?
    public var parentID: String?
    public var groupID: String?
    /// 1-based; see `TaskHeaders.effectiveAttempt`.
    public var attempt: Int
    /// STARTED while running, then RETRY, SUCCESS, FAILURE or REVOKED.
    public var state: TaskState
    public var startedAt: Date?
    public var finishedAt: Date?
    public var errorType: String?
    public var errorMessage: String?
    /// The countdown (runtime seconds, before scaling) chosen for the next attempt when this one ended in RETRY.
    public var nextCountdown: Double?

    public init(
        taskID: String, taskName: String, rootID: String? = nil, parentID: String? = nil, groupID: String? = nil,
        attempt: Int, state: TaskState, startedAt: Date? = nil, finishedAt: Date? = nil, errorType: String? = nil,
        errorMessage: String? = nil, nextCountdown: Double? = nil
    ) {
        self.taskID = taskID
        self.taskName = taskName
        self.rootID = rootID
        self.parentID = parentID
        self.groupID = groupID
        self.attempt = attempt
        self.state = state
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.errorType = errorType
        self.errorMessage = errorMessage
        self.nextCountdown = nextCountdown
    }
}
