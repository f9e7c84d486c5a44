/// Character-level helpers of ``CanvasParser``: spaces, names, punctuation and errors.
extension CanvasParser {
    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Skips spaces and tabs; returns true so it can sit in a condition list.
    @discardableResult
    mutating func skipSpaces() -> Bool {
        while let b = peek(), b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
        return true
    }

    /// Consumes `literal` if the input continues with it.
    mutating func consume(_ literal: String) -> Bool {
        let l = Array(literal.utf8)
        guard index + l.count <= bytes.count, Array(bytes[index..<index + l.count]) == l else { return false }
        index += l.count
        return true
    }

    mutating func expect(_ literal: String, after what: String, orClose: Bool = false) throws(ChorusError) {
        guard consume(literal) else {
            let wanted = orClose ? "'\(literal)' or ')'" : "'\(literal)'"
            throw error("expected \(wanted) after \(what), got \(describeCurrent())")
        }
    }

    static func isStart(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_")
    }

    static func isPart(_ b: UInt8) -> Bool { isStart(b) || (b >= 0x30 && b <= 0x39) }

    /// `[A-Za-z_][A-Za-z0-9_]*`, or "" (nothing consumed).
    mutating func identifier() -> String {
        guard let b = peek(), Self.isStart(b) else { return "" }
        let start = index
        while let b = peek(), Self.isPart(b) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// A task name: segments of `[A-Za-z_][A-Za-z0-9_-]*` joined by dots, or "".
    mutating func dottedName() -> String {
        let start = index
        while let b = peek(), Self.isStart(b) {
            while let b = peek(), Self.isPart(b) || b == UInt8(ascii: "-") { index += 1 }
            guard peek() == UInt8(ascii: "."), index + 1 < bytes.count, Self.isStart(bytes[index + 1]) else { break }
            index += 1
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// "end of input" or the quoted character at the current position.
    func describeCurrent() -> String {
        guard index < bytes.count else { return "end of input" }
        if bytes[index] < 0x20 || bytes[index] == 0x7F {  // keep messages on one line
            let hex = String(bytes[index], radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        var end = index + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return "'" + String(decoding: bytes[index..<end], as: UTF8.self) + "'"
    }

    /// An error at byte offset `at` (default: here), reported as a 1-based character column.
    func error(_ message: String, at: Int? = nil) -> ChorusError {
        let offset = min(max(at ?? index, 0), bytes.count)
        let column = String(decoding: bytes[0..<offset], as: UTF8.self).count + 1
        return ChorusError(.invalidInput, "invalid canvas at column \(column): \(message)")
    }
}
