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
        guard bytes.count == 36 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digits = 0
        for (offset, byte) in bytes.enumerated() {
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = UInt64(byte - UInt8(ascii: "a") + 10)
            default: return nil
            }
            if digits < 16 { high = high << 4 | nibble } else { low = low << 4 | nibble }
            digits += 1
        }
        return (high, low)
    }
}
