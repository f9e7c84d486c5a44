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
        guard bytes.count == 36, bytes[8] == 0x2D, bytes[13] == 0x2D, bytes[18] == 0x2D, bytes[23] == 0x2D else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        var digits = 0
        for i in 0..<36 where i != 8 && i != 13 && i != 18 && i != 23 {
            let byte = bytes[i]
            let nibble: UInt8
            if byte &- 0x30 < 10 {
                nibble = byte &- 0x30  // 0-9
            } else if byte &- 0x61 < 6 {
                nibble = byte &- 0x61 &+ 10  // a-f
            } else {
                return nil
            }
            if digits < 16 { words.0 = words.0 << 4 | UInt64(nibble) } else { words.1 = words.1 << 4 | UInt64(nibble) }
            digits += 1
        }
        return (words.0, words.1)
    }
}
