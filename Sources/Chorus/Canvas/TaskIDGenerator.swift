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
        var rng = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        let hex = bytes.map { b -> String in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }
        return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16]
            .map { hex[$0].joined() }
            .joined(separator: "-")
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
