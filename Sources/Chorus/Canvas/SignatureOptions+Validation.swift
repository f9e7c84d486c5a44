import OrderedCollections

/// Kind checks for the options Chorus understands, run when a signature is
/// decoded so a bad value is reported once, with its path, instead of being
/// silently ignored later. Unknown options are accepted as any JSON.
extension SignatureOptions {
    enum Kind {
        case string, number, integer, bool, object, stringList
        case signature, signatureList, signatureOrList
        case expiry, backoff

        var expected: String {
            switch self {
            case .string: "a string"
            case .number: "a number"
            case .integer: "an integer"
            case .bool: "a boolean"
            case .object: "an object"
            case .stringList: "an array of strings"
            case .signature: "a signature object"
            case .signatureList: "an array of signature objects"
            case .signatureOrList: "a signature object or an array of them"
            case .expiry: "a number of seconds or an ISO-8601 string"
            case .backoff: "a boolean or a number"
            }
        }
    }

    /// Numbers that are whole are written as JSON integers, as Python writes `5`.
    static func numberJSON(_ d: Double) -> JSON {
        if d == d.rounded(), abs(d) < 9e15 { return .int(Int64(d)) }
        return .double(d)
    }

    /// Decodes and validates an `options` object; `path` names it in errors.
    init(validating json: JSON, path: @autoclosure () -> String) throws(ChorusError) {
        guard case .object(let o) = json else { throw CanvasDecoding.mismatch(path(), "an object", json) }
        self.init()
        reserveCapacity(adding: o.count)
        for (key, value) in o {
            // One hash of the name: it gives the code the entry keeps and the kind to check.
            let code = OptionName(key)
            if let code, !value.isNull {
                // Paths are only spelled out for an error or a nested signature:
                // building them for every option of every decode was measurable.
                try Self.check(value, code.kind, path: "\(path()).\(key)")
            }
            appendNew(Entry(code: code, name: key, value: value))
        }
    }

    private static func check(_ v: JSON, _ kind: Kind, path makePath: @autoclosure () -> String) throws(ChorusError) {
        let ok: Bool
        switch kind {
        case .string: ok = v.stringValue != nil
        case .number: ok = v.numberValue != nil
        case .integer: ok = v.int64Value != nil
        case .bool: ok = v.boolValue != nil
        case .object: ok = v.objectValue != nil
        case .expiry: ok = v.numberValue != nil || v.stringValue != nil
        case .backoff: ok = v.numberValue != nil || v.boolValue != nil
        case .stringList:
            guard let items = v.arrayValue else { throw CanvasDecoding.mismatch(makePath(), kind.expected, v) }
            for (i, item) in items.enumerated() where item.stringValue == nil {
                throw CanvasDecoding.mismatch("\(makePath())[\(i)]", "a string", item)
            }
            ok = true
        case .signature:
            _ = try Signature(json: v, path: makePath())
            ok = true
        case .signatureList, .signatureOrList:
            if case .array(let items) = v {
                for (i, item) in items.enumerated() { _ = try Signature(json: item, path: "\(makePath())[\(i)]") }
                ok = true
            } else if kind == .signatureOrList, case .object = v {
                _ = try Signature(json: v, path: makePath())
                ok = true
            } else {
                ok = false
            }
        }
        if !ok { throw CanvasDecoding.mismatch(makePath(), kind.expected, v) }
    }
}

extension OptionName {
    /// The kind of value the option must hold (when not `null`).
    var kind: SignatureOptions.Kind {
        switch self {
        case .taskId, .groupId, .rootId, .parentId, .queue, .eta, .shadow, .replyTo: .string
        case .groupIndex, .priority, .maxRetries: .integer
        case .chord: .signature
        case .chain: .signatureList
        case .link, .linkError: .signatureOrList
        case .countdown, .timeLimit, .softTimeLimit, .retryBackoffMax, .defaultRetryDelay: .number
        case .expires: .expiry
        case .ignoreResult, .autoretry, .retryJitter: .bool
        case .headers: .object
        case .stampedHeaders: .stringList
        case .retryBackoff: .backoff
        }
    }
}

/// Shared wording for decoding errors: `<path>: expected <kind>, got <kind>`.
enum CanvasDecoding {
    static func mismatch(_ path: String, _ expected: String, _ got: JSON) -> ChorusError {
        ChorusError(.invalidInput, "\(path): expected \(expected), got \(got.kindName)")
    }

    static func error(_ path: String, _ message: String) -> ChorusError {
        ChorusError(.invalidInput, "\(path): \(message)")
    }
}
