/// A task the registry knows: its name, declared signature, default options,
/// where it came from, and how to call it. A class, so the hot path passes one
/// reference instead of copying its strings.
public final class RegisteredTask: Sendable {
    /// How the task's code is reached.
    enum Body: Sendable {
        /// A C function in a plugin, called through a prepared libffi cif.
        case native(PreparedCall)
        /// A Swift closure registered by an embedding program.
        case swift(SwiftTaskFunction)
    }

    public let name: String
    public let signature: TaskSignature
    public let options: TaskOptions
    /// The plugin that registered the task (`nil` for Swift closures).
    public let plugin: PluginInfo?
    /// One-line description from the descriptor, if any.
    public let doc: String?
    let body: Body

    /// The namespace the task's plugin state lives in.
    public let stateNamespace: String

    init(name: String, signature: TaskSignature, options: TaskOptions, plugin: PluginInfo?, doc: String?, body: Body) {
        self.name = name
        self.signature = signature
        self.options = options
        self.plugin = plugin
        self.doc = doc
        self.body = body
        self.stateNamespace = plugin?.name ?? "swift"
    }
}

/// A task body written in Swift: receives its arguments, already bound to the
/// declared parameters and checked against their types, and a context.
/// Throw `TaskFailure` to fail (retryably or not) or `TaskRetry` to retry.
public typealias SwiftTaskFunction = @Sendable (_ arguments: [JSON], _ context: SwiftTaskContext) throws -> JSON

/// What a Swift task can see of its invocation.
public struct SwiftTaskContext: Sendable {
    public let request: InvocationRequest
    public let taskName: String
    public let services: TaskServices

    /// Enqueues more work; see `TaskServices.dispatch`.
    public func dispatch(canvasJSON: String) throws(ChorusError) -> String {
        try services.dispatch(canvasJSON: canvasJSON, from: request, transaction: nil)
    }
}

/// Thrown by a Swift task to fail. `retryable: false` is `fail_permanent`.
public struct TaskFailure: Error, Sendable {
    public var message: String
    public var retryable: Bool
    public init(_ message: String, retryable: Bool = true) {
        self.message = message
        self.retryable = retryable
    }
}

/// Thrown by a Swift task to ask for a retry, like `host->retry`.
public struct TaskRetry: Error, Sendable {
    public var countdown: Double?
    public var message: String?
    public init(countdown: Double? = nil, message: String? = nil) {
        self.countdown = countdown
        self.message = message
    }
}
