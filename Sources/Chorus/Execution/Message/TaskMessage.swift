import OrderedCollections
import Foundation

/// One task message as the runtime passes it around: Celery message protocol
/// v2's headers and its body `[args, kwargs, embed]`.
///
/// Shaped like the wire format so a Celery-compatible broker is a transport,
/// not a rewrite: `TaskMessage+JSON` reads and writes the exact JSON. Transport
/// properties (`correlation_id`, `delivery_info`, priority, base64 body
/// encoding) belong to the broker, not here.
public struct TaskMessage: Sendable, Hashable {
    private struct Fields: Sendable, Hashable {
        var headers: TaskHeaders
        var args: [JSON]
        var kwargs: OrderedDictionary<String, JSON>
        var embed: TaskEmbed
    }

    /// Copy-on-write: a message is copied at every hand-off (broker, delivery,
    /// run), and a copy is one retain instead of one per header string.
    private var fields: CopyOnWrite<Fields>

    public var headers: TaskHeaders {
        _read { yield fields.value.headers }
        _modify { yield &fields.value.headers }
    }
    /// Positional arguments (body element 0).
    public var args: [JSON] {
        _read { yield fields.value.args }
        _modify { yield &fields.value.args }
    }
    /// Keyword arguments (body element 1), in order.
    public var kwargs: OrderedDictionary<String, JSON> {
        _read { yield fields.value.kwargs }
        _modify { yield &fields.value.kwargs }
    }
    /// Workflow links travelling with the task (body element 2).
    public var embed: TaskEmbed {
        _read { yield fields.value.embed }
        _modify { yield &fields.value.embed }
    }

    /// `consuming`: the parts move into the message instead of being copied.
    public init(
        headers: consuming TaskHeaders, args: consuming [JSON] = [], kwargs: consuming OrderedDictionary<String, JSON> = [:],
        embed: consuming TaskEmbed = TaskEmbed()
    ) {
        fields = CopyOnWrite(Fields(headers: headers, args: args, kwargs: kwargs, embed: embed))
    }

    /// The task id (`headers.id`).
    public var id: String { fields.value.headers.id }
    /// The task name (`headers.task`).
    public var taskName: String { fields.value.headers.task }
}

/// The `embed` element of a v2 body. Each entry is a Celery signature dict
/// (`{"task", "args", "kwargs", "options", "subtask_type", "immutable"}`)
/// kept as plain `JSON`: this layer moves signatures, the canvas layer
/// interprets them. `nil` is written as JSON `null`, as Celery does.
public struct TaskEmbed: Sendable, Hashable {
    /// `callbacks`: signatures to apply with the result on success (`link`).
    public var callbacks: [JSON]?
    /// `errbacks`: signatures to call on failure (`link_error`).
    public var errbacks: [JSON]?
    /// `chain`: the remaining chain steps in REVERSE order; the next step is the last element.
    public var chain: [JSON]?
    /// `chord`: the chord body signature, on chord-header members only.
    public var chord: JSON?

    public init(callbacks: [JSON]? = nil, errbacks: [JSON]? = nil, chain: [JSON]? = nil, chord: JSON? = nil) {
        self.callbacks = callbacks
        self.errbacks = errbacks
        self.chain = chain
        self.chord = chord
    }
}
