/// Where the runtime gets randomness (retry jitter, delivery tags in tests), so
/// tests can inject a seeded, reproducible source.
///
/// Implementations are safe to share between threads.
public protocol RandomSource: AnyObject, Sendable {
    /// 64 uniformly random bits.
    func next() -> UInt64
}

extension RandomSource {
    /// A whole number uniformly distributed in `range`, without modulo bias.
    public func uniform(in range: ClosedRange<Int>) -> Int {
        var generator = RandomSourceGenerator(self)
        return Int.random(in: range, using: &generator)
    }

    /// A double uniformly distributed in [0, 1).
    public func unitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}

/// Adapts a `RandomSource` to the standard `RandomNumberGenerator`, for
/// `Int.random(in:using:)`, `shuffled(using:)` and friends.
public struct RandomSourceGenerator: RandomNumberGenerator {
    public let source: any RandomSource
    public init(_ source: any RandomSource) { self.source = source }
    public mutating func next() -> UInt64 { source.next() }
}

/// The operating system's cryptographically secure generator. The default.
public final class SystemRandomSource: RandomSource {
    public init() {}
    public static let shared = SystemRandomSource()
    public func next() -> UInt64 {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }
}

/// A reproducible source: xoshiro256** seeded through SplitMix64, behind a
/// lock so one instance can be shared by every worker thread.
public final class SeededRandomSource: RandomSource {
    private let generator: LockProtected<Xoshiro256StarStar>
    /// The seed it was made with; other streams (tasks' `host->random`) derive
    /// from it without consuming this source's numbers.
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        generator = LockProtected(Xoshiro256StarStar(seed: seed))
    }

    public func next() -> UInt64 {
        generator.withLock { $0.next() }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator used to expand one
/// 64-bit seed into a well-mixed state. Not thread-safe (a value type).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** (Blackman, Vigna 2018): fast, statistically strong, seedable.
/// Not thread-safe (a value type); share it through `SeededRandomSource`.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        s = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
    }

    public mutating func next() -> UInt64 {
        let result = (s.1 &* 5).rotatedLeft(by: 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3.rotatedLeft(by: 45)
        return result
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by k: UInt64) -> UInt64 { (self << k) | (self >> (64 - k)) }
}
