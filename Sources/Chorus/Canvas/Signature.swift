import OrderedCollections

/// One task invocation described as data: Celery's signature dict.
///
/// A signature names a task, carries stored arguments and execution options,
/// and says whether results of earlier tasks may be prepended to its arguments
/// (`immutable == false`) or not. Composite canvases (chain, group, chord) are
/// also signatures on the wire, with a `subtaskType` and their members in
/// `kwargs`; ``Canvas`` is the structured view of those.
public struct Signature: Sendable, Hashable {
    /// Registered task name, e.g. `proj.add`, or `celery.chain` / `celery.group` / `celery.chord`.
    public var task: String
    /// Stored positional arguments.
    public var args: [JSON]
    /// Stored keyword arguments, in order.
    public var kwargs: OrderedDictionary<String, JSON>
    /// Execution options (`task_id`, `countdown`, `link`, ...).
    public var options: SignatureOptions
    /// `nil` for a plain task; otherwise what kind of composite this is.
    public var subtaskType: SubtaskType?
    /// When true, partial arguments from parents are ignored (Celery's `.si()`).
    public var immutable: Bool
    /// Top-level keys other than the six standard ones (e.g. the legacy
    /// `chord_size`), kept so they survive a round trip.
    public var extra: OrderedDictionary<String, JSON>

    public init(
        _ task: String,
        args: [JSON] = [],
        kwargs: OrderedDictionary<String, JSON> = [:],
        options: SignatureOptions = [:],
        subtaskType: SubtaskType? = nil,
        immutable: Bool = false,
        extra: OrderedDictionary<String, JSON> = [:]
    ) {
        self.task = task
        self.args = args
        self.kwargs = kwargs
        self.options = options
        self.subtaskType = subtaskType
        self.immutable = immutable
        self.extra = extra
    }

    /// The id frozen into `options.task_id`, if any.
    public var id: String? { options.taskId }
}

/// Celery's `subtask_type`. Unknown values survive round trips.
public struct SubtaskType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let chain = SubtaskType(rawValue: "chain")
    public static let group = SubtaskType(rawValue: "group")
    public static let chord = SubtaskType(rawValue: "chord")
    /// Celery-only composites; Chorus treats them as plain tasks of their name.
    public static let chunks = SubtaskType(rawValue: "chunks")
    public static let xmap = SubtaskType(rawValue: "xmap")
    public static let xstarmap = SubtaskType(rawValue: "xstarmap")
}
