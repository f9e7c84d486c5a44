/// One chord header member's final outcome, as the fan-in counter keeps it
/// (Celery's `.j` zset entry `[1, task_id, state, result]`, scored by group index).
public struct ChordPart: Sendable, Hashable {
    public var taskID: String
    /// Position in the header; results reach the body in this order.
    public var groupIndex: Int
    /// SUCCESS, FAILURE or REVOKED (RETRY is never reported).
    public var state: TaskState
    /// The return value, or for a failure the error (Celery stores the exception dict).
    public var result: JSON

    public init(taskID: String, groupIndex: Int, state: TaskState, result: JSON) {
        precondition(state.isReady, "only final states complete a chord part, got \(state)")
        self.taskID = taskID
        self.groupIndex = groupIndex
        self.state = state
        self.result = result
    }
}

/// What recording a chord part (or setting the chord size) did.
public enum ChordPartOutcome: Sendable, Hashable {
    /// Recorded; the chord still waits. `size` is nil until `setChordSize`.
    case waiting(ready: Int, size: Int?)
    /// This (task id, group index) was already recorded; nothing changed.
    case duplicate(ready: Int, size: Int?)
    /// THIS call completed the chord: the caller, and no one else, applies the
    /// body. Parts are ordered by group index.
    case completed([ChordPart])
    /// The chord had already completed; the late report is ignored.
    case alreadyCompleted

    /// The ordered parts when this call completed the chord, else nil.
    public var completedParts: [ChordPart]? {
        if case .completed(let parts) = self { return parts }
        return nil
    }
}
