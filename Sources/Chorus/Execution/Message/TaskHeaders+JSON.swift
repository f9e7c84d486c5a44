import Collections
import Foundation

extension TaskHeaders {
    /// Celery's header keys in the order Celery writes them.
    static let celeryKeys: [String] = [
        "lang", "task", "id", "shadow", "eta", "expires", "group", "group_index", "retries", "timelimit",
        "root_id", "parent_id", "argsrepr", "kwargsrepr", "origin", "ignore_result", "replaced_task_nesting",
        "stamped_headers", "stamps",
    ]
    static let attemptKey = "chorus_attempt"

    /// The headers as Celery's JSON object: every Celery key (nulls included,
    /// in Celery's order), then `chorus_attempt` when set, then `extra`.
    public var json: JSON {
        var o = OrderedDictionary<String, JSON>()
        o["lang"] = .string(lang)
        o["task"] = .string(task)
        o["id"] = .string(id)
        o["shadow"] = JSON(shadow)
        o["eta"] = eta.map { .string(CeleryDate.format($0)) } ?? .null
        o["expires"] = expires.map { .string(CeleryDate.format($0)) } ?? .null
        o["group"] = JSON(group)
        o["group_index"] = groupIndex.map { .int(Int64($0)) } ?? .null
        o["retries"] = .int(Int64(retries))
        o["timelimit"] = .array([JSON(seconds: timeLimit.hard), JSON(seconds: timeLimit.soft)])
        o["root_id"] = JSON(rootID)
        o["parent_id"] = JSON(parentID)
        o["argsrepr"] = JSON(argsRepr)
        o["kwargsrepr"] = JSON(kwargsRepr)
        o["origin"] = JSON(origin)
        o["ignore_result"] = .bool(ignoreResult)
        o["replaced_task_nesting"] = .int(Int64(replacedTaskNesting))
        o["stamped_headers"] = stampedHeaders.map { .array($0.map(JSON.string)) } ?? .null
        o["stamps"] = .object(stamps)
        if let attempt { o[Self.attemptKey] = .int(Int64(attempt)) }
        for (key, value) in extra where o[key] == nil { o[key] = value }
        return .object(o)
    }

    /// Reads Celery's header object. `task` and `id` are required; missing
    /// optional keys take Celery's defaults. Throws `.invalidInput` on a wrong type.
    public init(json: JSON) throws(ChorusError) {
        guard let o = json.objectValue else { throw Self.invalid("headers must be an object, got \(json.kindName)") }
        let reader = HeaderReader(object: o)
        guard let task = try reader.string("task"), let id = try reader.string("id") else {
            throw Self.invalid("headers need string 'task' and 'id'")
        }
        self.init(task: task, id: id)
        lang = try reader.string("lang") ?? "py"
        shadow = try reader.string("shadow")
        eta = try reader.date("eta")
        expires = try reader.date("expires")
        group = try reader.string("group")
        groupIndex = try reader.int("group_index")
        retries = try reader.int("retries") ?? 0
        timeLimit = try reader.timeLimit("timelimit")
        rootID = try reader.string("root_id")
        parentID = try reader.string("parent_id")
        argsRepr = try reader.string("argsrepr")
        kwargsRepr = try reader.string("kwargsrepr")
        origin = try reader.string("origin")
        ignoreResult = try reader.bool("ignore_result") ?? false
        replacedTaskNesting = try reader.int("replaced_task_nesting") ?? 0
        stampedHeaders = try reader.stringArray("stamped_headers")
        stamps = try reader.object("stamps") ?? [:]
        attempt = try reader.int(Self.attemptKey)
        extra = reader.extra
    }

    static func invalid(_ message: String) -> ChorusError { ChorusError(.invalidInput, "task message: \(message)") }
}

extension JSON {
    fileprivate init(_ string: String?) { self = string.map { .string($0) } ?? .null }

    /// Seconds as Celery writes them: whole numbers as integers.
    fileprivate init(seconds: Double?) {
        guard let seconds else {
            self = .null
            return
        }
        if seconds.rounded() == seconds, abs(seconds) < 1e15 { self = .int(Int64(seconds)) } else { self = .double(seconds) }
    }
}

/// Typed reads from a header object; a present `null` reads as nil.
///
/// The object is walked once, each known key's value kept in its slot and any
/// other key in `extra`: looking each of the twenty keys up (a hash each) and
/// filtering the rest out (another each) cost more than parsing the text.
private struct HeaderReader {
    private var known: [JSON?] = Array(repeating: nil, count: HeaderKey.allCases.count)
    private(set) var extra: OrderedDictionary<String, JSON> = [:]

    init(object: OrderedDictionary<String, JSON>) {
        for (key, value) in object {
            if let slot = HeaderKey(key) {
                known[slot.rawValue] = value
            } else {
                extra[key] = value
            }
        }
    }

    func value(_ key: String) -> JSON? {
        guard let slot = HeaderKey(key), let v = known[slot.rawValue], !v.isNull else { return nil }
        return v
    }

    func fail(_ key: String, _ expected: String, _ got: JSON) -> ChorusError {
        TaskHeaders.invalid("header '\(key)' must be \(expected), got \(got.kindName)")
    }

    func string(_ key: String) throws(ChorusError) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.stringValue else { throw fail(key, "a string", v) }
        return s
    }

    func int(_ key: String) throws(ChorusError) -> Int? {
        guard let v = value(key) else { return nil }
        guard let i = v.int64Value, let n = Int(exactly: i) else { throw fail(key, "an integer", v) }
        return n
    }

    func bool(_ key: String) throws(ChorusError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.boolValue else { throw fail(key, "a boolean", v) }
        return b
    }

    func date(_ key: String) throws(ChorusError) -> Date? {
        guard let s = try string(key) else { return nil }
        guard let d = CeleryDate.parse(s) else { throw TaskHeaders.invalid("header '\(key)' is not an ISO-8601 date: \(s)") }
        return d
    }

    func object(_ key: String) throws(ChorusError) -> OrderedDictionary<String, JSON>? {
        guard let v = value(key) else { return nil }
        guard let o = v.objectValue else { throw fail(key, "an object", v) }
        return o
    }

    func stringArray(_ key: String) throws(ChorusError) -> [String]? {
        guard let v = value(key) else { return nil }
        guard let a = v.arrayValue else { throw fail(key, "an array", v) }
        var out: [String] = []
        for item in a {
            guard let s = item.stringValue else { throw fail(key, "an array of strings", item) }
            out.append(s)
        }
        return out
    }

    func timeLimit(_ key: String) throws(ChorusError) -> TaskHeaders.TimeLimit {
        guard let v = value(key) else { return TaskHeaders.TimeLimit() }
        guard let a = v.arrayValue, a.count == 2 else { throw fail(key, "a [hard, soft] array", v) }
        func seconds(_ j: JSON) throws(ChorusError) -> Double? {
            if j.isNull { return nil }
            guard let d = j.numberValue else { throw fail(key, "numbers or nulls", j) }
            return d
        }
        return TaskHeaders.TimeLimit(hard: try seconds(a[0]), soft: try seconds(a[1]))
    }
}

/// The header keys `TaskHeaders` reads, found by length and then by text
/// (no hashing).
private enum HeaderKey: Int, CaseIterable {
    case lang, task, id, shadow, eta, expires, group, groupIndex, retries, timelimit, rootID, parentID, argsRepr,
        kwargsRepr, origin, ignoreResult, replacedTaskNesting, stampedHeaders, stamps, attempt

    init?(_ key: String) {
        let found: HeaderKey?
        switch key.utf8.count {
        case 2: found = key == "id" ? .id : nil
        case 3: found = key == "eta" ? .eta : nil
        case 4: found = key == "task" ? .task : key == "lang" ? .lang : nil
        case 5: found = key == "group" ? .group : nil
        case 6: found = key == "shadow" ? .shadow : key == "origin" ? .origin : key == "stamps" ? .stamps : nil
        case 7: found = key == "retries" ? .retries : key == "root_id" ? .rootID : key == "expires" ? .expires : nil
        case 8: found = key == "argsrepr" ? .argsRepr : nil
        case 9: found = key == "timelimit" ? .timelimit : key == "parent_id" ? .parentID : nil
        case 10: found = key == "kwargsrepr" ? .kwargsRepr : nil
        case 11: found = key == "group_index" ? .groupIndex : nil
        case 13: found = key == "ignore_result" ? .ignoreResult : nil
        case 14: found = key == TaskHeaders.attemptKey ? .attempt : nil
        case 15: found = key == "stamped_headers" ? .stampedHeaders : nil
        case 21: found = key == "replaced_task_nesting" ? .replacedTaskNesting : nil
        default: found = nil
        }
        guard let found else { return nil }
        self = found
    }
}
