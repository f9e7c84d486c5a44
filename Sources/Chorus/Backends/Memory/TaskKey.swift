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

    /// Hashes the id's two words (or its text) without the case tag: equal
    /// keys still hash alike, and a hash costs one combine less. Every
    /// result stored, waited for or counted as a chord part hashes a key.
    func hash(into hasher: inout Hasher) {
        switch storage {
        case .uuid(let high, let low):
            hasher.combine(high)
            hasher.combine(low)
        case .other(let text):
            hasher.combine(text)
        }
    }

    /// What `Dictionary` and `Set` hash a key with: a generated id's 128
    /// bits are already random (uuid4), so `SeededMix` spreads them as well
    /// as SipHash does, for a tenth of the instructions. A task's result is
    /// looked up about five times (start, end, wait, table growth): ~5% of a
    /// no-op task.
    func _rawHashValue(seed: Int) -> Int {
        switch storage {
        case .uuid(let high, let low): SeededMix.hash(high, low, seed: seed)
        case .other(let text): text._rawHashValue(seed: seed)
        }
    }

    /// Whether the key holds the id as 128 bits (for tests).
    var isCompact: Bool {
        if case .uuid = storage { return true }
        return false
    }

    /// The bits of a lowercase 8-4-4-4-12 hex id, or nil for any other text.
    ///
    /// Reads eight digits at a time as one 64-bit word (the four-digit groups
    /// in pairs): three to four times fewer instructions than a table lookup
    /// per byte, and every result store and wait parses an id.
    static func canonicalUUID(_ bytes: UnsafeBufferPointer<UInt8>) -> (high: UInt64, low: UInt64)? {
        guard bytes.count == 36, let base = bytes.baseAddress,
            base[8] == 0x2D, base[13] == 0x2D, base[18] == 0x2D, base[23] == 0x2D
        else { return nil }
        let raw = UnsafeRawPointer(base)
        func word(_ offset: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
        func half(_ offset: Int) -> UInt64 { UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) }
        guard let a = hexValue(word(0)), let b = hexValue(half(9) | half(14) << 32),
            let c = hexValue(half(19) | half(24) << 32), let d = hexValue(word(28))
        else { return nil }
        return (a << 32 | b, c << 32 | d)
    }

    /// The value of eight lowercase hex digits (the first in the lowest byte,
    /// as loaded from memory), or nil if any byte is not one of `0-9a-f`.
    @inline(__always)
    static func hexValue(_ x: UInt64) -> UInt64? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        // Every byte below 0x80, so adding less than 0x80 to each never
        // carries into its neighbour; a byte's top bit then says whether it
        // reached the threshold.
        guard x & high == 0 else { return nil }
        let atLeast0 = (x &+ ones &* 0x50) & high       // b >= 0x30 "0"
        let above9 = (x &+ ones &* 0x46) & high         // b >= 0x3A
        let atLeastA = (x &+ ones &* 0x1F) & high       // b >= 0x61 "a"
        let aboveF = (x &+ ones &* 0x19) & high         // b >= 0x67
        guard (atLeast0 & ~above9) | (atLeastA & ~aboveF) == high else { return nil }
        // "0"-"9" -> low nibble; "a"-"f" (0x61-0x66) -> low nibble + 9.
        var v = (x & (ones &* 0x0F)) &+ ((x >> 6) & ones) &* 9
        // Pack the eight nibbles, first digit most significant.
        v = ((v & 0x000F_000F_000F_000F) << 4) | ((v >> 8) & 0x000F_000F_000F_000F)
        v = ((v & 0x0000_00FF_0000_00FF) << 8) | ((v >> 16) & 0x0000_00FF_0000_00FF)
        return ((v & 0xFFFF) << 16) | ((v >> 32) & 0xFFFF)
    }
}
