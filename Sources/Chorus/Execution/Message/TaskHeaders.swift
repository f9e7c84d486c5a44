import OrderedCollections
import Foundation

/// The headers of a task message, Celery message protocol v2
/// (`celery/app/amqp.py::as_task_v2`), plus Chorus's own `chorus_attempt`.
///
/// Field names follow Swift style; `TaskHeaders+JSON` maps them to Celery's
/// exact keys. Headers Chorus does not model (custom `headers=` options,
/// kombu's `redelivered`, ...) are kept in `extra` and written back unchanged.
public struct TaskHeaders: Sendable, Hashable {
    /// Hard and soft time limits in seconds (`timelimit: [hard, soft]`).
    public struct TimeLimit: Sendable, Hashable {
        public var hard: Double?
        public var soft: Double?
        public init(hard: Double? = nil, soft: Double? = nil) {
            self.hard = hard
            self.soft = soft
        }
    }

    /// `lang`: the producer's language. Celery writes `"py"` and Chorus keeps
    /// that value so Python workers accept its messages.
    public var lang: String
    /// `task`: the registered task name.
    public var task: String
    /// `id`: the task id (a uuid string).
    public var id: String
    /// `shadow`: alternative name for logs.
    public var shadow: String?
    /// `eta`: do not run before this wall time.
    public var eta: Date?
    /// `expires`: revoke instead of running after this wall time.
    public var expires: Date?
    /// `group`: the group id when the task is a group or chord-header member.
    public var group: String?
    /// `group_index`: position in the group (chord results are ordered by it).
    public var groupIndex: Int?
    /// `retries`: how many times this task id has been retried; 0 on the first run.
    public var retries: Int
    /// `timelimit`.
    public var timeLimit: TimeLimit
    /// `root_id`: the id of the first task of the workflow (its own id for a client-sent task).
    public var rootID: String?
    /// `parent_id`: the id of the task that published this one (itself for a retry).
    public var parentID: String?
    /// `argsrepr` / `kwargsrepr`: display strings for logs and events. Nil in
    /// messages the runtime builds (two serialisations per task nobody read);
    /// a transport to Celery tools fills them from the body if it wants them.
    public var argsRepr: String?
    public var kwargsRepr: String?
    /// `origin`: the publishing node, `"gen<pid>@<host>"`.
    public var origin: String?
    /// `ignore_result`: do not store the result.
    public var ignoreResult: Bool
    /// `replaced_task_nesting`.
    public var replacedTaskNesting: Int
    /// `stamped_headers` / `stamps` (Celery stamping; carried, not interpreted).
    public var stampedHeaders: [String]?
    public var stamps: OrderedDictionary<String, JSON>
    /// `chorus_attempt`: 1-based count of runs of this task id, counting both
    /// retries and redeliveries (so it can exceed `retries + 1`). Absent in
    /// messages from Celery producers; see `effectiveAttempt`.
    public var attempt: Int?
    /// Every other header, in arrival order.
    public var extra: OrderedDictionary<String, JSON>

    /// The attempt number to report: `chorus_attempt` when present, else `retries + 1`.
    public var effectiveAttempt: Int { attempt ?? retries + 1 }
}

// The init is declared in an extension so that the type keeps its implicit
// memberwise init and this one is a single call to it: assigning the fields
// one by one built the headers in a temporary, copied it (a retain of every
// string) and destroyed it, ~800 instructions of every message built.
extension TaskHeaders {
    /// Headers for a fresh client-sent task: `root_id` = own id, everything else defaulted as Celery does.
    public init(
        task: String, id: String, lang: String = "py", shadow: String? = nil, eta: Date? = nil, expires: Date? = nil,
        group: String? = nil, groupIndex: Int? = nil, retries: Int = 0, timeLimit: TimeLimit = TimeLimit(),
        rootID: String? = nil, parentID: String? = nil, argsRepr: String? = nil, kwargsRepr: String? = nil,
        origin: String? = nil, ignoreResult: Bool = false, replacedTaskNesting: Int = 0,
        stampedHeaders: [String]? = nil, stamps: OrderedDictionary<String, JSON> = [:], attempt: Int? = nil,
        extra: OrderedDictionary<String, JSON> = [:]
    ) {
        self.init(
            lang: lang, task: task, id: id, shadow: shadow, eta: eta, expires: expires, group: group, groupIndex: groupIndex,
            retries: retries, timeLimit: timeLimit, rootID: rootID ?? id, parentID: parentID, argsRepr: argsRepr,
            kwargsRepr: kwargsRepr, origin: origin, ignoreResult: ignoreResult, replacedTaskNesting: replacedTaskNesting,
            stampedHeaders: stampedHeaders, stamps: stamps, attempt: attempt, extra: extra)
    }
}
