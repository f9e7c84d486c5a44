import Foundation
import OrderedCollections

/// What a result store keeps for one task id: Celery's result meta.
public struct ResultMeta: Sendable, Hashable {
    private struct Fields: Sendable, Hashable {
        var taskID: String
        var state: TaskState
        var result: JSON
        var dateDone: Date?
        var retries: Int
        var groupID: String?
        var parentID: String?
        var name: String?
        var queue: String?
        /// Nil while every rare field is at its default (see `Rare`).
        var rare: CopyOnWrite<Rare>?
    }

    /// Fields most metas leave empty, boxed apart: a stored result is kept a
    /// day, and inline they made every meta ~90 bytes larger.
    private struct Rare: Sendable, Hashable {
        var error: TaskErrorInfo?
        var traceback: String?
        var children: [JSON] = []
        var worker: String?

        var isEmpty: Bool { error == nil && traceback == nil && children.isEmpty && worker == nil }
    }

    /// Changes a rare field, keeping `rare` nil while all of them are empty
    /// (so equal metas stay equal whichever way they were built).
    private mutating func updateRare(_ change: (inout Rare) -> Void) {
        var rare = fields.value.rare?.value ?? Rare()
        change(&rare)
        fields.value.rare = rare.isEmpty ? nil : CopyOnWrite(rare)
    }

    /// Copy-on-write: a meta is copied into stores, waiters and handles; a copy is one retain.
    private var fields: CopyOnWrite<Fields>

    public var taskID: String {
        _read { yield fields.value.taskID }
        _modify { yield &fields.value.taskID }
    }
    public var state: TaskState {
        _read { yield fields.value.state }
        _modify { yield &fields.value.state }
    }
    /// The return value (SUCCESS), `{"pid", "hostname"}` (STARTED), or null.
    /// For exception states the error goes in `error` and Celery's `result`
    /// is built from it.
    public var result: JSON {
        _read { yield fields.value.result }
        _modify { yield &fields.value.result }
    }
    /// The exception of a FAILURE, RETRY or REVOKED.
    public var error: TaskErrorInfo? {
        get { fields.value.rare?.value.error }
        set { updateRare { $0.error = newValue } }
    }
    /// Formatted traceback text, when there is one.
    public var traceback: String? {
        get { fields.value.rare?.value.traceback }
        set { updateRare { $0.traceback = newValue } }
    }
    /// Result tuples of tasks this one published (`[[id, parent], null]`, ...).
    public var children: [JSON] {
        get { fields.value.rare?.value.children ?? [] }
        set { updateRare { $0.children = newValue } }
    }
    /// When the task reached a READY state; nil otherwise.
    public var dateDone: Date? {
        _read { yield fields.value.dateDone }
        _modify { yield &fields.value.dateDone }
    }
    /// `retries` of the run that wrote this meta.
    public var retries: Int {
        _read { yield fields.value.retries }
        _modify { yield &fields.value.retries }
    }
    public var groupID: String? {
        _read { yield fields.value.groupID }
        _modify { yield &fields.value.groupID }
    }
    public var parentID: String? {
        _read { yield fields.value.parentID }
        _modify { yield &fields.value.parentID }
    }
    /// Extended fields (Celery `result_extended`).
    public var name: String? {
        _read { yield fields.value.name }
        _modify { yield &fields.value.name }
    }
    public var worker: String? {
        get { fields.value.rare?.value.worker }
        set { updateRare { $0.worker = newValue } }
    }
    public var queue: String? {
        _read { yield fields.value.queue }
        _modify { yield &fields.value.queue }
    }


    public init(
        taskID: String, state: TaskState, result: JSON = .null, error: TaskErrorInfo? = nil,
        traceback: String? = nil, children: [JSON] = [], dateDone: Date? = nil, retries: Int = 0,
        groupID: String? = nil, parentID: String? = nil, name: String? = nil, worker: String? = nil,
        queue: String? = nil
    ) {
        let rare = Rare(error: error, traceback: traceback, children: children, worker: worker)
        fields = CopyOnWrite(Fields(
            taskID: taskID, state: state, result: result, dateDone: dateDone, retries: retries, groupID: groupID,
            parentID: parentID, name: name, queue: queue, rare: rare.isEmpty ? nil : CopyOnWrite(rare)))
    }

    /// The STARTED meta of the attempt `message` begins, taken from `queue`.
    public static func started(_ message: TaskMessage, queue: String) -> ResultMeta {
        ResultMeta(
            taskID: message.id, state: .started, retries: message.headers.retries, groupID: message.headers.group,
            parentID: message.headers.parentID, name: message.taskName, queue: queue)
    }

    /// Celery's JSON for this meta, with its exact keys: `status`, `result`,
    /// `traceback`, `children`, `date_done`, then `group_id`/`parent_id` when
    /// set, the extended fields when `extended`, and `task_id`.
    public func celeryJSON(extended: Bool = false) -> JSON {
        var o = OrderedDictionary<String, JSON>()
        o["status"] = .string(state.rawValue)
        o["result"] = error?.celeryJSON ?? result
        o["traceback"] = traceback.map(JSON.string) ?? .null
        o["children"] = .array(children)
        o["date_done"] = dateDone.map { .string(CeleryDate.format($0)) } ?? .null
        if let groupID { o["group_id"] = .string(groupID) }
        if let parentID { o["parent_id"] = .string(parentID) }
        if extended {
            o["name"] = name.map(JSON.string) ?? .null
            o["worker"] = worker.map(JSON.string) ?? .null
            o["retries"] = .int(Int64(retries))
            o["queue"] = queue.map(JSON.string) ?? .null
        }
        o["task_id"] = .string(taskID)
        return .object(o)
    }
}

/// An exception as Celery's JSON serializer stores it:
/// `{"exc_type": "ValueError", "exc_message": ["boom 7"], "exc_module": "builtins"}`.
public struct TaskErrorInfo: Sendable, Hashable {
    /// `exc_type`: the exception's (qualified) type name.
    public var type: String
    /// The one-line message (`exc_message[0]`).
    public var message: String
    /// `exc_module`: where the type lives; Chorus uses `"chorus"` for its own errors.
    public var module: String

    public init(type: String, message: String, module: String = "chorus") {
        self.type = type
        self.message = message
        self.module = module
    }

    public var celeryJSON: JSON {
        ["exc_type": .string(type), "exc_message": [.string(message)], "exc_module": .string(module)]
    }
}
