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

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes 128 bits as 8-4-4-4-12 lowercase hex in one allocation.
    static func format(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            var out = 0
            func put(_ value: UInt64, nibbles: Int) {
                var shift = (nibbles - 1) * 4
                while shift >= 0 {
                    buffer[out] = hexDigits[Int((value >> UInt64(shift)) & 0xF)]
                    out += 1
                    shift -= 4
                }
            }
            put(high >> 32, nibbles: 8)
            buffer[out] = UInt8(ascii: "-"); out += 1
            put(high >> 16, nibbles: 4)
            buffer[out] = UInt8(ascii: "-"); out += 1
            put(high, nibbles: 4)
            buffer[out] = UInt8(ascii: "-"); out += 1
            put(low >> 48, nibbles: 4)
            buffer[out] = UInt8(ascii: "-"); out += 1
            put(low, nibbles: 12)
            return out
        }
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
