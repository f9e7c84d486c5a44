extension TaskHeaders {
    /// The same text as `json.serialized()`, written straight from the
    /// fields: building the ordered JSON object first (twenty keys hashed and
    /// stored, every value boxed) was a fifth of a durable producer's CPU per
    /// published message.
    public func serializedJSON() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        var writer = ObjectWriter(out: out)
        writer.string("lang", lang)
        writer.string("task", task)
        writer.string("id", id)
        writer.string("shadow", shadow)
        writer.string("eta", eta.map(CeleryDate.format))
        writer.string("expires", expires.map(CeleryDate.format))
        writer.string("group", group)
        writer.value("group_index", groupIndex.map { .int(Int64($0)) } ?? .null)
        writer.value("retries", .int(Int64(retries)))
        writer.value("timelimit", .array([Self.secondsJSON(timeLimit.hard), Self.secondsJSON(timeLimit.soft)]))
        writer.string("root_id", rootID)
        writer.string("parent_id", parentID)
        writer.string("argsrepr", argsRepr)
        writer.string("kwargsrepr", kwargsRepr)
        writer.string("origin", origin)
        writer.value("ignore_result", .bool(ignoreResult))
        writer.value("replaced_task_nesting", .int(Int64(replacedTaskNesting)))
        writer.value("stamped_headers", stampedHeaders.map { .array($0.map(JSON.string)) } ?? .null)
        writer.value("stamps", .object(stamps))
        if let attempt { writer.value(Self.attemptKey, .int(Int64(attempt))) }
        // As in `json`: an extra key never replaces one written above.
        for (key, value) in extra where !Self.writtenKeys.contains(key) && (key != Self.attemptKey || attempt == nil) {
            writer.value(key, value)
        }
        return writer.finish()
    }

    /// The Celery keys `serializedJSON` always writes.
    private static let writtenKeys = Set(celeryKeys)

    /// Seconds as Celery writes them (as `json` does): whole numbers as integers.
    private static func secondsJSON(_ seconds: Double?) -> JSON {
        guard let seconds else { return .null }
        if seconds.rounded() == seconds, abs(seconds) < 1e15 { return .int(Int64(seconds)) }
        return .double(seconds)
    }

    /// Appends `"key":value` pairs to one JSON object's bytes.
    private struct ObjectWriter {
        var out: [UInt8]
        var first = true

        private mutating func key(_ key: String) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            JSON.writeString(key, to: &out)
            out.append(UInt8(ascii: ":"))
        }

        mutating func string(_ name: String, _ value: String?) {
            key(name)
            if let value { JSON.writeString(value, to: &out) } else { out.append(contentsOf: Self.null) }
        }

        mutating func value(_ name: String, _ value: JSON) {
            key(name)
            value.write(to: &out)
        }

        /// The text; at least one pair was written (headers always have some).
        consuming func finish() -> String {
            out.append(UInt8(ascii: "}"))
            return String(decoding: out, as: UTF8.self)
        }

        private static let null = Array("null".utf8)
    }
}
