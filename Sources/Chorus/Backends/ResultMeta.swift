import Foundation
import OrderedCollections

/// What a result store keeps for one task id: Celery's result meta.
public struct ResultMeta: Sendable, Hashable {
    public var taskID: String
    public var state: TaskState
    /// The return value (SUCCESS), `{"pid", "hostname"}` (STARTED), or null.
    /// For exception states the error goes in `error` and Celery's `result`
    /// is built from it.
    public var result: JSON
    /// The exception of a FAILURE, RETRY or REVOKED.
    public var error: TaskErrorInfo?
    /// Formatted traceback text, when there is one.
    public var traceback: String?
    /// Result tuples of tasks this one published (`[[id, parent], null]`, ...).
    public var children: [JSON]
    /// When the task reached a READY state; nil otherwise.
    public var dateDone: Date?
    /// `retries` of the run that wrote this meta.
    public var retries: Int
    public var groupID: String?
    public var parentID: String?
    /// Extended fields (Celery `result_extended`).
    public var name: String?
    public var worker: String?
    public var queue: String?

    public init(
        taskID: String, state: TaskState, result: JSON = .null, error: TaskErrorInfo? = nil,
        traceback: String? = nil, children: [JSON] = [], dateDone: Date? = nil, retries: Int = 0,
        groupID: String? = nil, parentID: String? = nil, name: String? = nil, worker: String? = nil,
        queue: String? = nil
    ) {
        self.taskID = taskID
        self.state = state
        self.result = result
        self.error = error
        self.traceback = traceback
        self.children = children
        self.dateDone = dateDone
        self.retries = retries
        self.groupID = groupID
        self.parentID = parentID
        self.name = name
        self.worker = worker
        self.queue = queue
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
