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
    public var headers: TaskHeaders
    /// Positional arguments (body element 0).
    public var args: [JSON]
    /// Keyword arguments (body element 1), in order.
    public var kwargs: OrderedDictionary<String, JSON>
    /// Workflow links travelling with the task (body element 2).
    public var embed: TaskEmbed

    public init(
        headers: TaskHeaders, args: [JSON] = [], kwargs: OrderedDictionary<String, JSON> = [:],
        embed: TaskEmbed = TaskEmbed()
    ) {
        self.headers = headers
        self.args = args
        self.kwargs = kwargs
        self.embed = embed
    }

    /// The task id (`headers.id`).
    public var id: String { headers.id }
    /// The task name (`headers.task`).
    public var taskName: String { headers.task }
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
