/// What the runtime tells a task about the call it is making: the identity
/// of this attempt and the knobs the host API exposes.
public struct InvocationRequest: Sendable, Hashable {
    /// The task id (a UUID), kept across retries.
    public var taskID: String
    /// Retries so far: 0 on the first attempt.
    public var retries: Int
    /// Factor applied to every wait; visible to plugins through `time_scale`.
    public var timeScale: Double
    /// The workflow's root task id, when the call is part of one.
    public var rootID: String?
    /// The id of the task that sent this one, if any.
    public var parentID: String?
    /// The group this task is a member of, if any.
    public var groupID: String?

    public init(
        taskID: String, retries: Int = 0, timeScale: Double = 1.0, rootID: String? = nil,
        parentID: String? = nil, groupID: String? = nil
    ) {
        self.taskID = taskID
        self.retries = retries
        self.timeScale = timeScale
        self.rootID = rootID
        self.parentID = parentID
        self.groupID = groupID
    }
}
