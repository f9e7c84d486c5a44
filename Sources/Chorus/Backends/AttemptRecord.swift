import Foundation

/// One run of one task id: Chorus's attempt history, which Celery does not
/// keep (it overwrites the result meta on every retry). Lets an operator see
/// every try of a workflow, why each failed and how long the next one waited.
public struct AttemptRecord: Sendable, Hashable {
    private struct Fields: Sendable, Hashable {
        var taskID: String
        var taskName: String
        var rootID: String?
        var parentID: String?
        var groupID: String?
        var attempt: Int
        var state: TaskState
        var startedAt: Date?
        var finishedAt: Date?
        /// Nil while every rare field is empty (see `Rare`).
        var rare: CopyOnWrite<Rare>?
    }

    /// Fields only failed and retried attempts fill, boxed apart: history is
    /// kept for days, and inline they made every record ~40 bytes larger.
    private struct Rare: Sendable, Hashable {
        var errorType: String?
        var errorMessage: String?
        var nextCountdown: Double?

        var isEmpty: Bool { errorType == nil && errorMessage == nil && nextCountdown == nil }
    }

    /// Changes a rare field, keeping `rare` nil while all of them are empty
    /// (so equal records stay equal whichever way they were built).
    private mutating func updateRare(_ change: (inout Rare) -> Void) {
        var rare = fields.value.rare?.value ?? Rare()
        change(&rare)
        fields.value.rare = rare.isEmpty ? nil : CopyOnWrite(rare)
    }

    /// Copy-on-write: a record is copied into stores and query results; a copy is one retain.
    private var fields: CopyOnWrite<Fields>

    public var taskID: String {
        _read { yield fields.value.taskID }
        _modify { yield &fields.value.taskID }
    }
    public var taskName: String {
        _read { yield fields.value.taskName }
        _modify { yield &fields.value.taskName }
    }
    public var rootID: String? {
        _read { yield fields.value.rootID }
        _modify { yield &fields.value.rootID }
    }
    public var parentID: String? {
        _read { yield fields.value.parentID }
        _modify { yield &fields.value.parentID }
    }
    public var groupID: String? {
        _read { yield fields.value.groupID }
        _modify { yield &fields.value.groupID }
    }
    /// 1-based; see `TaskHeaders.effectiveAttempt`.
    public var attempt: Int {
        _read { yield fields.value.attempt }
        _modify { yield &fields.value.attempt }
    }
    /// STARTED while running, then RETRY, SUCCESS, FAILURE or REVOKED.
    public var state: TaskState {
        _read { yield fields.value.state }
        _modify { yield &fields.value.state }
    }
    public var startedAt: Date? {
        _read { yield fields.value.startedAt }
        _modify { yield &fields.value.startedAt }
    }
    public var finishedAt: Date? {
        _read { yield fields.value.finishedAt }
        _modify { yield &fields.value.finishedAt }
    }
    public var errorType: String? {
        get { fields.value.rare?.value.errorType }
        set { updateRare { $0.errorType = newValue } }
    }
    public var errorMessage: String? {
        get { fields.value.rare?.value.errorMessage }
        set { updateRare { $0.errorMessage = newValue } }
    }
    /// The countdown (runtime seconds, before scaling) chosen for the next attempt when this one ended in RETRY.
    public var nextCountdown: Double? {
        get { fields.value.rare?.value.nextCountdown }
        set { updateRare { $0.nextCountdown = newValue } }
    }


    /// The STARTED record of the attempt `message` begins at `startedAt`
    /// (attempt `retries + 1`).
    public static func started(_ message: TaskMessage, at startedAt: Date) -> AttemptRecord {
        let headers = message.headers
        return AttemptRecord(
            taskID: message.id, taskName: message.taskName, rootID: headers.rootID, parentID: headers.parentID,
            groupID: headers.group, attempt: headers.retries + 1, state: .started, startedAt: startedAt)
    }

    private static func boxed(_ rare: Rare) -> CopyOnWrite<Rare>? { rare.isEmpty ? nil : CopyOnWrite(rare) }

    public init(
        taskID: String, taskName: String, rootID: String? = nil, parentID: String? = nil, groupID: String? = nil,
        attempt: Int, state: TaskState, startedAt: Date? = nil, finishedAt: Date? = nil, errorType: String? = nil,
        errorMessage: String? = nil, nextCountdown: Double? = nil
    ) {
        fields = CopyOnWrite(Fields(
            taskID: taskID, taskName: taskName, rootID: rootID, parentID: parentID, groupID: groupID,
            attempt: attempt, state: state, startedAt: startedAt, finishedAt: finishedAt,
            rare: Self.boxed(Rare(errorType: errorType, errorMessage: errorMessage, nextCountdown: nextCountdown))))
    }
}
