/// A task id as a key of the memory backend's tables.
///
/// Ids in the form Chorus generates (lowercase 8-4-4-4-12 hex, Celery's
/// uuid4 format) are held as their 128 bits, inline: a lookup hashes two words
/// and compares probed keys in place. As `String` keys, every lookup hashed 36
/// bytes and followed each probed key to its heap storage — a cache miss per
/// probe once many results are kept (memcmp alone was ~8% of a no-op task's
/// time with 300,000 results held). Any other id keeps its string, so two
/// different ids never share a key: the 128-bit form only ever stands for the
/// one canonical string it was read from.
struct TaskKey: Hashable, Sendable {
    private enum Storage: Hashable, Sendable {
        case uuid(UInt64, UInt64)
        case other(String)
    }

    private let storage: Storage

    init(_ id: String) {
        var id = id
        let bits = id.withUTF8 { TaskKey.canonicalUUID($0) }
        storage = bits.map { .uuid($0.high, $0.low) } ?? .other(id)
    }

    /// Whether the key holds the id as 128 bits (for tests).
    var isCompact: Bool {
        if case .uuid = storage { return true }
        return false
    }

    /// The bits of a lowercase 8-4-4-4-12 hex id, or nil for any other text.
    static func canonicalUUID(_ bytes: UnsafeBufferPointer<UInt8>) -> (high: UInt64, low: UInt64)? {
        guard bytes.count == 36, let base = bytes.baseAddress,
            base[8] == 0x2D, base[13] == 0x2D, base[18] == 0x2D, base[23] == 0x2D
        else { return nil }
        // Each group's digits OR-ed together: any byte that is not a
        // lowercase hex digit maps to 0xFF and shows up as a high bit.
        var invalid: UInt8 = 0
        func digits(_ from: Int, _ count: Int, into word: inout UInt64) {
            for i in from..<(from + count) {
                let value = hexValues[Int(base[i])]
                invalid |= value
                word = word << 4 | UInt64(value & 0x0F)
            }
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        digits(0, 8, into: &high)
        digits(9, 4, into: &high)
        digits(14, 4, into: &high)
        digits(19, 4, into: &low)
        digits(24, 12, into: &low)
        return invalid & 0xF0 == 0 ? (high, low) : nil
    }

    /// 0–15 for the bytes of `0-9a-f`, 0xFF for every other byte.
    /// `nonisolated(unsafe)`: written once here, only read afterwards.
    nonisolated(unsafe) private static let hexValues: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        table.initialize(repeating: 0xFF, count: 256)
        for (value, byte) in "0123456789abcdef".utf8.enumerated() { table[Int(byte)] = UInt8(value) }
        return UnsafePointer(table)
    }()
}
