import OrderedCollections

/// A signature's execution options: Celery's `options` dict, kept exactly as
/// it arrived (key order, `null`s and unknown keys survive a round trip),
/// with typed accessors for the names Chorus understands.
///
/// Stored as an ordered list of entries, each tagged with its `OptionName`
/// code when Chorus knows the name: the accessors find an option by its code
/// (a byte compare), not by hashing or comparing its name. An options dict
/// holds a handful of keys, so a linear search is the fast one.
///
/// Getters return `nil` (or `[]` for signature lists) when the key is absent,
/// `null`, or holds a value of the wrong kind; decoding a signature
/// (``Signature/init(json:path:)``) rejects wrong kinds up front, so a
/// decoded signature never hides a bad value. Setters remove the key on `nil`.
public struct SignatureOptions: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// One option: its name, its code when Chorus knows the name, its value.
    struct Entry: Sendable, Hashable {
        let code: OptionName?
        let name: String
        var value: JSON
    }

    /// Every option, in order.
    private(set) var entries: [Entry]

    public init() { entries = [] }

    public init(_ values: OrderedDictionary<String, JSON>) {
        entries = []
        entries.reserveCapacity(values.count)
        for (name, value) in values { entries.append(Entry(code: OptionName(name), name: name, value: value)) }
    }

    public init(dictionaryLiteral elements: (String, JSON)...) {
        entries = []
        for (k, v) in elements { self[k] = v }
    }

    /// Every option, in order, as a JSON object's members (built on each read).
    public var values: OrderedDictionary<String, JSON> {
        get {
            var values = OrderedDictionary<String, JSON>(minimumCapacity: entries.count)
            for entry in entries { values[entry.name] = entry.value }
            return values
        }
        set { self = SignatureOptions(newValue) }
    }

    public subscript(key: String) -> JSON? {
        get { index(named: key).map { entries[$0].value } }
        set { set(Entry(code: OptionName(key), name: key, value: .null), newValue, at: index(named: key)) }
    }

    subscript(code: OptionName) -> JSON? {
        get { index(of: code).map { entries[$0].value } }
        set { set(code, newValue) }
    }

    public var isEmpty: Bool { entries.isEmpty }

    var count: Int { entries.count }

    /// Room for `extra` more options without regrowing (freezing adds up to six).
    mutating func reserveCapacity(adding extra: Int) { entries.reserveCapacity(entries.count + extra) }

    // MARK: - Identity and placement (set by freezing)

    /// `task_id`: the task's id; on a group, the group id; on a chain, the id of its last task.
    public var taskId: String? { get { string(.taskId) } set { set(.taskId, newValue.map(JSON.string)) } }
    /// `group_id`: the group (or chord header) this task belongs to. Partial application never overwrites it.
    public var groupId: String? { get { string(.groupId) } set { set(.groupId, newValue.map(JSON.string)) } }
    /// `group_index`: 0-based position in that group; orders chord results.
    public var groupIndex: Int? { get { int(.groupIndex) } set { set(.groupIndex, newValue.map { .int(Int64($0)) }) } }
    /// `root_id`: id of the first task of the whole workflow.
    public var rootId: String? { get { string(.rootId) } set { set(.rootId, newValue.map(JSON.string)) } }
    /// `parent_id`: id of the task that published this one.
    public var parentId: String? { get { string(.parentId) } set { set(.parentId, newValue.map(JSON.string)) } }
    /// `chord`: for a chord header member, the body to run once the whole header is done.
    public var chord: Signature? {
        get { self[.chord].flatMap { try? Signature(json: $0) } }
        set { set(.chord, newValue?.json) }
    }
    /// `chain`: the steps still to run after this task, REVERSED (the next step is the last element).
    public var chain: [Signature] { get { signatures(.chain) } set { setList(.chain, newValue) } }
    /// `link`: callbacks applied with `(result,)` on success.
    public var link: [Signature] { get { signatures(.link) } set { setList(.link, newValue) } }
    /// `link_error`: errbacks published when the task ends in FAILURE (not on
    /// RETRY or REVOKED). A mutable errback gets the failed task's id, plus the
    /// error message when its task declares two free parameters, e.g.
    /// `void (string task_id, string error)`; see `Runtime.runErrback`.
    public var linkError: [Signature] { get { signatures(.linkError) } set { setList(.linkError, newValue) } }

    // MARK: - Delivery

    public var queue: String? { get { string(.queue) } set { set(.queue, newValue.map(JSON.string)) } }
    /// 0...9 on redis (lower is consumed first there); other brokers differ.
    public var priority: Int? { get { int(.priority) } set { set(.priority, newValue.map { .int(Int64($0)) }) } }
    /// Seconds to wait before running.
    public var countdown: Double? { get { number(.countdown) } set { set(.countdown, newValue.map(SignatureOptions.numberJSON)) } }
    /// Earliest run time, ISO-8601 with a time zone.
    public var eta: String? { get { string(.eta) } set { set(.eta, newValue.map(JSON.string)) } }
    /// When the task expires unrun: seconds from now or an ISO-8601 time.
    public var expires: Expiry? {
        get {
            switch self[.expires] {
            case .string(let s): .at(s)
            case let v?: v.numberValue.map(Expiry.seconds)
            case nil: nil
            }
        }
        set {
            switch newValue {
            case .seconds(let s): set(.expires, SignatureOptions.numberJSON(s))
            case .at(let t): set(.expires, .string(t))
            case nil: set(.expires, nil)
            }
        }
    }
    public var timeLimit: Double? { get { number(.timeLimit) } set { set(.timeLimit, newValue.map(SignatureOptions.numberJSON)) } }
    public var softTimeLimit: Double? { get { number(.softTimeLimit) } set { set(.softTimeLimit, newValue.map(SignatureOptions.numberJSON)) } }
    public var ignoreResult: Bool? { get { self[.ignoreResult]?.boolValue } set { set(.ignoreResult, newValue.map(JSON.bool)) } }
    public var shadow: String? { get { string(.shadow) } set { set(.shadow, newValue.map(JSON.string)) } }

    /// Either form of `expires`.
    public enum Expiry: Sendable, Hashable {
        case seconds(Double)
        case at(String)
    }

    /// Whether these options may name other tasks (`link`, `link_error`,
    /// `chain`, `chord`); when false a plain task is the only name to check.
    var mayNameOtherTasks: Bool {
        entries.contains { entry in
            switch entry.code {
            case .link?, .linkError?, .chain?, .chord?: true
            default: false
            }
        }
    }

    // MARK: - Storage helpers

    /// Reads only each entry's code, in place: `firstIndex(where:)` handed
    /// every entry to its closure as a copy, retaining and releasing its
    /// name and value (~100 instructions an entry on every read or write).
    private func index(of code: OptionName) -> Int? {
        entries.withUnsafeBufferPointer { buffer in
            for i in buffer.indices where buffer[i].code == code { return i }
            return nil
        }
    }

    private func index(named name: String) -> Int? {
        if let code = OptionName(name) { return index(of: code) }
        return index(unknown: name)
    }

    /// The entry of a name Chorus does not model.
    private func index(unknown name: String) -> Int? {
        entries.withUnsafeBufferPointer { buffer in
            for i in buffer.indices where buffer[i].code == nil && buffer[i].name == name { return i }
            return nil
        }
    }

    /// Replaces the value at `index` (keeping its place), removes it on nil,
    /// or appends `entry` with `value` when there was none — an ordered
    /// dictionary's rules. `entry`'s own value is ignored.
    private mutating func set(_ entry: Entry, _ value: JSON?, at index: Int?) {
        if let index {
            if let value { entries[index].value = value } else { entries.remove(at: index) }
        } else if let value {
            entries.append(Entry(code: entry.code, name: entry.name, value: value))
        }
    }

    mutating func set(_ code: OptionName, _ value: JSON?) {
        if let index = index(of: code) {
            if let value { entries[index].value = value } else { entries.remove(at: index) }
        } else if let value {
            entries.append(Entry(code: code, name: code.name, value: value))
        }
    }

    /// Sets `entry`'s value under its name, as `self[entry.name] = entry.value`
    /// does, without looking its code up again.
    mutating func merge(_ entry: Entry) {
        let at = if let code = entry.code { index(of: code) } else { index(unknown: entry.name) }
        set(entry, entry.value, at: at)
    }

    /// Appends an entry known to be new (decoding a dict with unique keys).
    mutating func appendNew(_ entry: Entry) { entries.append(entry) }

    /// Keeps the entries `include` accepts, in order.
    func filter(_ include: (Entry) -> Bool) -> SignatureOptions {
        var kept = SignatureOptions()
        kept.entries = entries.filter(include)
        return kept
    }

    private mutating func setList(_ code: OptionName, _ sigs: [Signature]) {
        set(code, sigs.isEmpty ? nil : .array(sigs.map(\.json)))
    }

    func string(_ code: OptionName) -> String? { self[code]?.stringValue }

    func number(_ code: OptionName) -> Double? { self[code]?.numberValue }

    func int(_ code: OptionName) -> Int? {
        guard let i = self[code]?.int64Value else { return nil }
        return Int(exactly: i)
    }

    /// A signature or a list of signatures (Celery accepts both for `link`).
    func signatures(_ code: OptionName) -> [Signature] {
        switch self[code] {
        case .array(let items): items.compactMap { try? Signature(json: $0) }
        case .object(let o): (try? Signature(json: .object(o))).map { [$0] } ?? []
        default: []
        }
    }
}
