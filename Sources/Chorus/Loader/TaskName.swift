/// The rules for task and plugin names: 1 to `CHORUS_TASK_NAME_MAX` bytes,
/// starting with an ASCII letter or `_`, then letters, digits and `_ . : -`.
/// Tutorial names (`report_group_short`) and dotted names (`images.resize`)
/// both fit.
enum TaskName {
    static let maximumLength = 200

    /// Why `name` is not acceptable, or `nil` when it is.
    static func problem(with name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name.utf8.count > maximumLength { return "is longer than \(maximumLength) bytes" }
        let bytes = Array(name.utf8)
        let first = bytes[0]
        guard isLetter(first) || first == UInt8(ascii: "_") else {
            return "must start with a letter or '_'"
        }
        for (i, b) in bytes.enumerated() where !(isLetter(b) || isDigit(b) || "_.:-".utf8.contains(b)) {
            let shown = b < 0x80 && b >= 0x20 ? "'\(Character(UnicodeScalar(b)))'" : "byte 0x\(String(b, radix: 16))"
            return "contains \(shown) at position \(i + 1); allowed are letters, digits and _ . : -"
        }
        return nil
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
}
