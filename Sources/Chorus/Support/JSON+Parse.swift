import Collections

/// Why a JSON text could not be read, and where (1-based byte column).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// 1-based byte offset of the problem in the input.
    public var column: Int

    public var description: String { "invalid JSON at column \(column): \(message)" }
}

extension JSON {
    /// Deepest nesting accepted; deeper input is refused instead of exhausting the stack.
    public static let maximumDepth = 512

    /// Parses one JSON value (RFC 8259, strict: no comments, no trailing commas,
    /// no leading zeros, no lone surrogates, nothing after the value but whitespace).
    public init(parsing text: String) throws(JSONParseError) {
        var parser = JSONParser(Array(text.utf8))
        self = try parser.parseDocument()
    }

    /// Parses JSON from raw UTF-8 bytes; invalid UTF-8 inside strings is refused.
    public init(parsingUTF8 bytes: [UInt8]) throws(JSONParseError) {
        var parser = JSONParser(bytes)
        self = try parser.parseDocument()
    }
}

struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(JSONParseError) -> JSON {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count { throw error("unexpected text after the value") }
        return value
    }

    func error(_ message: String, at position: Int? = nil) -> JSONParseError {
        JSONParseError(message: message, column: (position ?? index) + 1)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONParseError) -> JSON {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default:
            throw error("unexpected character '\(printable(bytes[index]))', expected a value")
        }
    }

    func printable(_ b: UInt8) -> String {
        b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16)
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONParseError) {
        let start = index
        let count = word.utf8CodeUnitCount
        let matches = index + count <= bytes.count && word.withUTF8Buffer { literal in
            (0..<count).allSatisfy { bytes[start + $0] == literal[$0] }
        }
        guard matches else { throw error("invalid literal, expected '\(word)'", at: start) }
        index += count
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > JSON.maximumDepth { throw error("nesting deeper than \(JSON.maximumDepth) levels") }
    }

    mutating func parseArray() throws(JSONParseError) -> JSON {
        try enter()
        index += 1
        var items: [JSON] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an array, expected ',' or ']'") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; break }
            throw error("expected ',' or ']' in an array")
        }
        depth -= 1
        return .array(items)
    }

    mutating func parseObject() throws(JSONParseError) -> JSON {
        try enter()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object([:])
        }
        // Keys and values are gathered first and the dictionary built once:
        // inserting one by one (a duplicate lookup, then the insert, and the
        // hash table rebuilt as it grew) was most of the cost of reading a
        // task message's headers.
        var keys: [String] = []
        var asciiKeys: [Bool] = []
        var values: [JSON] = []
        var seen: Set<String>?
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a string key in an object")
            }
            let keyStart = index
            var ascii = false
            let key = try parseString(ascii: &ascii)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after an object key")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            if isDuplicate(key, ascii: ascii, among: keys, asciiKeys, seen: &seen) {
                throw error("duplicate object key \"\(key)\"", at: keyStart)
            }
            keys.append(key)
            asciiKeys.append(ascii)
            values.append(value)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an object, expected ',' or '}'") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; break }
            throw error("expected ',' or '}' in an object")
        }
        depth -= 1
        return .object(OrderedDictionary(uncheckedUniqueKeys: keys, values: values))
    }

    /// Whether `key` is among `keys` as Swift compares strings (canonical
    /// equivalence, as the dictionary does: "é" and "e\u{301}" are one key):
    /// compared one by one while there are few (cheaper than hashing), through
    /// `seen` once there are more. Two ASCII keys of different lengths differ
    /// without the comparison, which is a runtime call.
    private func isDuplicate(
        _ key: String, ascii: Bool, among keys: [String], _ asciiKeys: [Bool], seen: inout Set<String>?
    ) -> Bool {
        if seen == nil && keys.count < Self.linearKeyLimit {
            let length = key.utf8.count
            for i in keys.indices {
                if ascii && asciiKeys[i] && keys[i].utf8.count != length { continue }
                if keys[i] == key { return true }
            }
            return false
        }
        if seen == nil { seen = Set(keys) }
        return !seen!.insert(key).inserted
    }

    /// Object sizes up to which duplicate keys are found by comparing.
    static let linearKeyLimit = 32

    mutating func parseString() throws(JSONParseError) -> String {
        var ascii = false
        return try parseString(ascii: &ascii)
    }

    /// `ascii` is set when the string is known to be ASCII (no escape and no
    /// byte above 0x7F); false otherwise, which is always safe.
    mutating func parseString(ascii isASCII: inout Bool) throws(JSONParseError) -> String {
        let start = index
        index += 1
        // Most strings have no escape: validate and copy their bytes in one go.
        var end = index
        var ascii = true
        while end < bytes.count {
            let b = bytes[end]
            if b == UInt8(ascii: "\"") {
                let from = index
                let text = bytes.withUnsafeBufferPointer { Self.string(UnsafeBufferPointer(rebasing: $0[from..<end]), ascii: ascii) }
                guard let text else { throw JSONParseError(message: "invalid UTF-8 in a string", column: from + 1) }
                index = end + 1
                isASCII = ascii
                return text
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            if b >= 0x80 { ascii = false }
            end += 1
        }
        var scalars = String.UnicodeScalarView()
        var runStart = index
        var plain: [UInt8] = []
        func flushRun(_ p: inout [UInt8], _ s: inout String.UnicodeScalarView, upTo end: Int, bytes: [UInt8], from: Int) throws(JSONParseError) {
            guard end > from else { return }
            p.removeAll(keepingCapacity: true)
            p.append(contentsOf: bytes[from..<end])
            guard let text = p.withUnsafeBufferPointer({ Self.string($0, ascii: false) }) else {
                throw JSONParseError(message: "invalid UTF-8 in a string", column: from + 1)
            }
            s.append(contentsOf: text.unicodeScalars)
        }
        while true {
            guard index < bytes.count else { throw error("unterminated string", at: start) }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                try flushRun(&plain, &scalars, upTo: index, bytes: bytes, from: runStart)
                index += 1
                return String(scalars)
            }
            if b < 0x20 { throw error("control character in a string; escape it") }
            if b != UInt8(ascii: "\\") { index += 1; continue }
            try flushRun(&plain, &scalars, upTo: index, bytes: bytes, from: runStart)
            let escapeStart = index
            index += 1
            guard index < bytes.count else { throw error("unterminated escape", at: escapeStart) }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                let first = try parseHex4(escapeStart)
                var value = UInt32(first)
                if (0xD800...0xDBFF).contains(first) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw error("lone high surrogate in \\u escape", at: escapeStart)
                    }
                    index += 2
                    let second = try parseHex4(escapeStart)
                    guard (0xDC00...0xDFFF).contains(second) else {
                        throw error("invalid surrogate pair in \\u escape", at: escapeStart)
                    }
                    value = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(first) {
                    throw error("lone low surrogate in \\u escape", at: escapeStart)
                }
                guard let scalar = Unicode.Scalar(value) else { throw error("invalid \\u escape", at: escapeStart) }
                scalars.append(scalar)
            default:
                throw error("invalid escape '\\\(printable(e))'", at: escapeStart)
            }
            runStart = index
        }
    }

    /// The text of valid UTF-8 `bytes`, or nil. `String(validating:as:)` is
    /// generic and was not specialised: it looked up type metadata at run time
    /// for every string, most of the cost of reading a task message. ASCII
    /// (known from the scan for the closing quote) cannot be invalid; other
    /// text is decoded and kept only if it reads back byte for byte (decoding
    /// replaces invalid sequences).
    static func string(_ bytes: UnsafeBufferPointer<UInt8>, ascii: Bool) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        if ascii { return text }
        return text.utf8.elementsEqual(bytes) ? text : nil
    }

    mutating func parseHex4(_ escapeStart: Int) throws(JSONParseError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw error("truncated \\u escape", at: escapeStart) }
        var v: UInt16 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit in \\u escape", at: escapeStart)
            }
            v = v << 4 | UInt16(d)
            index += 1
        }
        return v
    }

    mutating func parseNumber() throws(JSONParseError) -> JSON {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number: expected a digit", at: start) }
        if bytes[index] == UInt8(ascii: "0"), index + 1 < bytes.count, isDigit(bytes[index + 1]) {
            throw error("invalid number: leading zero", at: start)
        }
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number: expected a digit after '.'", at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number: expected a digit in the exponent", at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger {
            if let i = Int64(text) { return .int(i) }
            if !negative, let u = UInt64(text) { return .uint(u) }
        }
        guard let d = Double(text), d.isFinite else { throw error("number out of range", at: start) }
        return .double(d)
    }

    func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}
