import CChorus

/// The ABI version this runtime speaks, as packed by `CHORUS_ABI_VERSION`.
public struct ABIVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: UInt32
    public var minor: UInt32

    public init(major: UInt32, minor: UInt32) {
        self.major = major
        self.minor = minor
    }

    /// Unpacks a `CHORUS_ABI_VERSION`-style value (major << 16 | minor).
    public init(packed: UInt32) {
        self.init(major: packed >> 16, minor: packed & 0xFFFF)
    }

    public var packed: UInt32 { major << 16 | minor }

    /// The version of `include/chorus.h` this runtime was compiled with.
    public static let current = ABIVersion(major: UInt32(CHORUS_ABI_MAJOR), minor: UInt32(CHORUS_ABI_MINOR))

    public var description: String { "\(major).\(minor)" }

    public static func < (a: ABIVersion, b: ABIVersion) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
}
