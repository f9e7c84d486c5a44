/// Where canvas freezing gets new task and group ids.
///
/// Freezing assigns every node its id before anything is published (as Celery's
/// `freeze` does), so the ids a caller waits on are known up front. Production
/// code uses ``RandomTaskIDs`` (uuid4, Celery's format); tests inject
/// ``SequentialTaskIDs`` to get predictable ids.
public protocol TaskIDGenerator: Sendable {
    /// Returns a new id, different from every id returned before.
    mutating func next() -> String
}

/// Random version-4 UUIDs in lowercase 8-4-4-4-12 form, as Celery's `uuid()` writes them.
public struct RandomTaskIDs: TaskIDGenerator {
    public init() {}

    public mutating func next() -> String {
        var (high, low) = RandomBytes.next128()
        high = (high & ~0xF000) | 0x4000  // version 4
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000  // RFC 4122 variant
        return RandomTaskIDs.format(high: high, low: low)
    }

    /// Writes 128 bits as 8-4-4-4-12 lowercase hex in one allocation.
    ///
    /// Eight digits at a time (`hexDigits(_:)`), stored as one word: a table
    /// lookup per digit cost ~280 instructions an id, and every task applied
    /// gets one.
    static func format(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            let out = UnsafeMutableRawPointer(buffer.baseAddress!)
            func put8(_ value: UInt64, at offset: Int) {
                out.storeBytes(of: hexDigits(UInt32(truncatingIfNeeded: value)).littleEndian, toByteOffset: offset, as: UInt64.self)
            }
            func put4(_ value: UInt64, at offset: Int) {
                let digits = UInt32(truncatingIfNeeded: hexDigits(UInt32(truncatingIfNeeded: value) & 0xFFFF) >> 32)
                out.storeBytes(of: digits.littleEndian, toByteOffset: offset, as: UInt32.self)
            }
            put8(high >> 32, at: 0)
            out.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 8, as: UInt8.self)
            put4(high >> 16, at: 9)
            out.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 13, as: UInt8.self)
            put4(high, at: 14)
            out.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 18, as: UInt8.self)
            put4(low >> 48, at: 19)
            out.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 23, as: UInt8.self)
            put4(low >> 32, at: 24)
            put8(low, at: 28)
            return 36
        }
    }

    /// The eight lowercase hex digits of `value`, most significant first,
    /// as the bytes of a word in memory order (the first digit in the lowest byte).
    static func hexDigits(_ value: UInt32) -> UInt64 {
        // One nibble per byte, least significant nibble in the lowest byte...
        var x = UInt64(value)
        x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF
        x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF
        x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F
        // ...then the most significant one first.
        x = x.byteSwapped
        // 0-9 -> "0"-"9" (0x30 + n); 10-15 -> "a"-"f" (0x30 + n + 0x27).
        let letters = ((x &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        return x &+ 0x3030_3030_3030_3030 &+ letters &* 0x27
    }
}

/// Predictable ids `<prefix>1`, `<prefix>2`, ... for tests and examples.
public struct SequentialTaskIDs: TaskIDGenerator {
    public var prefix: String
    public private(set) var count: Int

    public init(prefix: String = "id", startingAfter count: Int = 0) {
        self.prefix = prefix
        self.count = count
    }

    public mutating func next() -> String {
        count += 1
        return prefix + String(count)
    }
}
