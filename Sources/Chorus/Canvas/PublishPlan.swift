/// What an execution engine must do to run a canvas, decided up front by
/// ``Canvas/prepare(partialArgs:partialKwargs:options:idGenerator:)``.
///
/// Contract for the engine:
/// 1. make every ``chordRegistrations`` entry (e.g. redis `set_chord_size`)
///    **before** publishing any message;
/// 2. publish ``messages`` in order. Each is a frozen plain-task signature:
///    its `options` carry what goes into the v2 message (`task_id`, `root_id`,
///    `parent_id`, `group_id`, `group_index`) and the embed: `link` (callbacks),
///    `link_error` (errbacks), `chain` (remaining steps, reversed: next step
///    last) and `chord` (the body, for chord header members);
/// 3. hand ``result`` to the caller to wait on.
///
/// The body of a chord with an empty header is already in ``messages``, with
/// `[]` prepended to its args (Celery's `body.delay([])`); no chord is registered
/// for it.
///
/// Things the engine must know:
/// - a task counts toward a chord only when its options carry `chord`. A
///   chord's body carries `group_id` = the header's id but no `chord` (a Celery
///   quirk kept for parity: its message has `headers.group` set); it is not a part;
/// - several members may share one `group_index`: the members of a group that
///   ends a chain inside a chord header all report at that chain's slot;
/// - `link`/`link_error` signatures are not frozen: prepare each one when it
///   fires (callbacks with `[result]`; several callbacks via
///   ``Canvas/bundlingCallbacks(_:)``), with `parent_id`/`root_id` options;
/// - the next chain step is `chain.last`; prepare it with `[result]` and
///   options `parent_id`, `root_id` and `chain` = the list without its last element.
public struct PublishPlan: Sendable, Hashable {
    /// Chord counters to create before publishing, in the order met.
    public var chordRegistrations: [ChordRegistration]
    /// Frozen task signatures to publish now, in order.
    public var messages: [Signature]
    /// The ids the caller waits on.
    public var result: ResultHandle
    /// The normalised, frozen canvas (every node has its ids), for logs and tests.
    public var canvas: Canvas
}

/// One chord to register before its header is published.
public struct ChordRegistration: Sendable, Hashable {
    /// The header's group id; header members carry it as `group_id`.
    public var groupId: String
    /// How many completions the header reports, counted as Celery does: a task
    /// 1, a group the sum of its members, a chain the size of its last non-empty
    /// step, a nested chord the size of its body.
    public var size: Int
    /// The frozen body, as carried in every header member's `chord` option.
    public var body: Signature
}

/// The ids a caller waits on: a task's id, or a group id with its members'
/// handles in member order. A chain returns its last step's handle; a chord
/// its body's handle.
///
/// Not `indirect`: the members array is already a reference, and boxing
/// every handle cost an allocation per task applied (and per group member).
public enum ResultHandle: Sendable, Hashable {
    case task(id: String)
    case group(id: String, members: [ResultHandle])

    /// The task id or group id.
    public var id: String {
        switch self {
        case .task(let id): id
        case .group(let id, _): id
        }
    }
}
