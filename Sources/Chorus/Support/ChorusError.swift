/// The one error type of the Chorus runtime: a stable code a program can
/// match on, and a one-line message a person can act on.
///
/// Equality compares codes only, so `error == ChorusError(.unknownTask)`-style
/// checks read naturally in tests and callers.
public struct ChorusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is. Unknown raw values survive round trips.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A plugin file could not be opened, resolved or initialised.
        public static let pluginLoad = Code(rawValue: "plugin-load")
        /// A plugin file or its directory is unsafe to load (permissions, owner, type).
        public static let unsafePlugin = Code(rawValue: "unsafe-plugin")
        /// The plugin was built for an ABI version this runtime does not speak.
        public static let abiMismatch = Code(rawValue: "abi-mismatch")
        /// The plugin's descriptor or a task descriptor is malformed.
        public static let invalidDescriptor = Code(rawValue: "invalid-descriptor")
        /// A task's declared signature cannot be parsed or uses an unsupported type.
        public static let invalidSignature = Code(rawValue: "invalid-signature")
        /// A task name is already registered.
        public static let duplicateTask = Code(rawValue: "duplicate-task")
        /// No task is registered under the name.
        public static let unknownTask = Code(rawValue: "unknown-task")
        /// The arguments do not match the task's declared parameters.
        public static let badArguments = Code(rawValue: "bad-arguments")
        /// The task ran and failed.
        public static let taskFailed = Code(rawValue: "task-failed")
        /// The task's result could not be turned into JSON.
        public static let badResult = Code(rawValue: "bad-result")
        /// Malformed input text: JSON, a canvas, a signature dict.
        public static let invalidInput = Code(rawValue: "invalid-input")
        /// A wait ended before the work finished.
        public static let timeout = Code(rawValue: "timeout")
        /// The task was revoked or expired before it ran.
        public static let revoked = Code(rawValue: "revoked")
        /// A storage backend failed.
        public static let backend = Code(rawValue: "backend")
        /// The operation is not valid in the current state.
        public static let invalidState = Code(rawValue: "invalid-state")
        /// A bug in Chorus itself.
        public static let `internal` = Code(rawValue: "internal")
    }

    public var code: Code
    /// One line that names the problem and, where possible, what to do.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: ChorusError, rhs: ChorusError) -> Bool { lhs.code == rhs.code }
}
