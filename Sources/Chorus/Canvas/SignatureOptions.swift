import OrderedCollections

/// A signature's execution options: Celery's `options` dict, kept exactly as
/// it arrived (key order and unknown keys survive a round trip), with typed
/// accessors for the names Chorus understands.
///
/// Getters return `nil` (or `[]` for signature lists) when the key is absent,
/// `null`, or holds a value of the wrong kind; decoding a signature
/// (``Signature/init(json:path:)``) rejects wrong kinds up front, so a
/// decoded signature never hides a bad value. Setters remove the key on `nil`.
public struct SignatureOptions: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// Every option, in order, as JSON.
    public var values: OrderedDictionary<String, JSON>

    public init(_ values: OrderedDictionary<String, JSON> = [:]) { self.values = values }

    public init(dictionaryLiteral elements: (String, JSON)...) {
        values = [:]
        for (k, v) in elements { values[k] = v }
    }

    public subscript(key: String) -> JSON? {
        get { values[key] }
        set { values[key] = newValue }
    }

    public var isEmpty: Bool { values.isEmpty }

    // MARK: - Identity and placement (set by freezing)

    /// `task_id`: the task's id; on a group, the group id; on a chain, the id of its last task.
    public var taskId: String? { get { string("task_id") } set { set("task_id", newValue.map(JSON.string)) } }
    /// `group_id`: the group (or chord header) this task belongs to. Partial application never overwrites it.
    public var groupId: String? { get { string("group_id") } set { set("group_id", newValue.map(JSON.string)) } }
    /// `group_index`: 0-based position in that group; orders chord results.
    public var groupIndex: Int? { get { int("group_index") } set { set("group_index", newValue.map { .int(Int64($0)) }) } }
    /// `root_id`: id of the first task of the whole workflow.
    public var rootId: String? { get { string("root_id") } set { set("root_id", newValue.map(JSON.string)) } }
    /// `parent_id`: id of the task that published this one.
    public var parentId: String? { get { string("parent_id") } set { set("parent_id", newValue.map(JSON.string)) } }
    /// `chord`: for a chord header member, the body to run once the whole header is done.
    public var chord: Signature? {
        get { values["chord"].flatMap { try? Signature(json: $0) } }
        set { set("chord", newValue?.json) }
    }
    /// `chain`: the steps still to run after this task, REVERSED (the next step is the last element).
    public var chain: [Signature] { get { signatures("chain") } set { setList("chain", newValue) } }
    /// `link`: callbacks applied with `(result,)` on success.
    public var link: [Signature] { get { signatures("link") } set { setList("link", newValue) } }
    /// `link_error`: errbacks published when the task ends in FAILURE (not on
    /// RETRY or REVOKED). A mutable errback gets the failed task's id, plus the
    /// error message when its task declares two free parameters, e.g.
    /// `void (string task_id, string error)`; see `Runtime.runErrback`.
    public var linkError: [Signature] { get { signatures("link_error") } set { setList("link_error", newValue) } }

    // MARK: - Delivery

    public var queue: String? { get { string("queue") } set { set("queue", newValue.map(JSON.string)) } }
    /// 0...9 on redis (lower is consumed first there); other brokers differ.
    public var priority: Int? { get { int("priority") } set { set("priority", newValue.map { .int(Int64($0)) }) } }
    /// Seconds to wait before running.
    public var countdown: Double? { get { number("countdown") } set { set("countdown", newValue.map(SignatureOptions.numberJSON)) } }
    /// Earliest run time, ISO-8601 with a time zone.
    public var eta: String? { get { string("eta") } set { set("eta", newValue.map(JSON.string)) } }
    /// When the task expires unrun: seconds from now or an ISO-8601 time.
    public var expires: Expiry? {
        get {
            switch values["expires"] {
            case .string(let s): .at(s)
            case let v?: v.numberValue.map(Expiry.seconds)
            case nil: nil
            }
        }
        set {
            switch newValue {
            case .seconds(let s): set("expires", SignatureOptions.numberJSON(s))
            case .at(let t): set("expires", .string(t))
            case nil: set("expires", nil)
            }
        }
    }
    public var timeLimit: Double? { get { number("time_limit") } set { set("time_limit", newValue.map(SignatureOptions.numberJSON)) } }
    public var softTimeLimit: Double? { get { number("soft_time_limit") } set { set("soft_time_limit", newValue.map(SignatureOptions.numberJSON)) } }
    public var ignoreResult: Bool? { get { values["ignore_result"]?.boolValue } set { set("ignore_result", newValue.map(JSON.bool)) } }
    public var shadow: String? { get { string("shadow") } set { set("shadow", newValue.map(JSON.string)) } }

    /// Either form of `expires`.
    public enum Expiry: Sendable, Hashable {
        case seconds(Double)
        case at(String)
    }

    /// Whether these options may name other tasks (`link`, `link_error`,
    /// `chain`, `chord`); when false a plain task is the only name to check.
    var mayNameOtherTasks: Bool {
        values["link"] != nil || values["link_error"] != nil || values["chain"] != nil || values["chord"] != nil
    }

    // MARK: - Storage helpers

    mutating func set(_ key: String, _ value: JSON?) { values[key] = value }

    private mutating func setList(_ key: String, _ sigs: [Signature]) {
        values[key] = sigs.isEmpty ? nil : .array(sigs.map(\.json))
    }

    func string(_ key: String) -> String? { values[key]?.stringValue }

    func number(_ key: String) -> Double? { values[key]?.numberValue }

    func int(_ key: String) -> Int? {
        guard let i = values[key]?.int64Value else { return nil }
        return Int(exactly: i)
    }

    /// A signature or a list of signatures (Celery accepts both for `link`).
    func signatures(_ key: String) -> [Signature] {
        switch values[key] {
        case .array(let items): items.compactMap { try? Signature(json: $0) }
        case .object(let o): (try? Signature(json: .object(o))).map { [$0] } ?? []
        default: []
        }
    }
}
