import OrderedCollections

/// One task invocation described as data: Celery's signature dict.
///
/// A signature names a task, carries stored arguments and execution options,
/// and says whether results of earlier tasks may be prepended to its arguments
/// (`immutable == false`) or not. Composite canvases (chain, group, chord) are
/// also signatures on the wire, with a `subtaskType` and their members in
/// `kwargs`; ``Canvas`` is the structured view of those.
public struct Signature: Sendable, Hashable {
    private struct Fields: Sendable, Hashable {
        var task: String
        var args: [JSON]
        var kwargs: OrderedDictionary<String, JSON>
        var options: SignatureOptions
        var subtaskType: SubtaskType?
        var immutable: Bool
        var extra: OrderedDictionary<String, JSON>
    }

    /// Copy-on-write: signatures are copied through canvas preparation and into messages; a copy is one retain.
    private var fields: CopyOnWrite<Fields>

    /// Registered task name, e.g. `proj.add`, or `celery.chain` / `celery.group` / `celery.chord`.
    public var task: String {
        _read { yield fields.value.task }
        _modify { yield &fields.value.task }
    }
    /// Stored positional arguments.
    public var args: [JSON] {
        _read { yield fields.value.args }
        _modify { yield &fields.value.args }
    }
    /// Stored keyword arguments, in order.
    public var kwargs: OrderedDictionary<String, JSON> {
        _read { yield fields.value.kwargs }
        _modify { yield &fields.value.kwargs }
    }
    /// Execution options (`task_id`, `countdown`, `link`, ...).
    public var options: SignatureOptions {
        _read { yield fields.value.options }
        _modify { yield &fields.value.options }
    }
    /// `nil` for a plain task; otherwise what kind of composite this is.
    public var subtaskType: SubtaskType? {
        _read { yield fields.value.subtaskType }
        _modify { yield &fields.value.subtaskType }
    }
    /// When true, partial arguments from parents are ignored (Celery's `.si()`).
    public var immutable: Bool {
        _read { yield fields.value.immutable }
        _modify { yield &fields.value.immutable }
    }
    /// Top-level keys other than the six standard ones (e.g. the legacy
    /// `chord_size`), kept so they survive a round trip.
    public var extra: OrderedDictionary<String, JSON> {
        _read { yield fields.value.extra }
        _modify { yield &fields.value.extra }
    }

    public init(
        _ task: String,
        args: [JSON] = [],
        kwargs: OrderedDictionary<String, JSON> = [:],
        options: SignatureOptions = [:],
        subtaskType: SubtaskType? = nil,
        immutable: Bool = false,
        extra: OrderedDictionary<String, JSON> = [:]
    ) {
        fields = CopyOnWrite(Fields(
            task: task, args: args, kwargs: kwargs, options: options, subtaskType: subtaskType, immutable: immutable, extra: extra))
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
