import Logging

/// Levels of `host->log`, mirroring `chorus_log_level`.
public enum TaskLogLevel: Int32, Sendable, CaseIterable {
    case debug = 0, info = 1, warning = 2, error = 3

    var loggerLevel: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
    }
}

/// What a running task can reach through the host API beyond its own
/// identity: logging, dispatching more work, and its plugin's state. The
/// runtime supplies one; the execution engine supplies one that dispatches.
///
/// Implementations are called from worker threads and must be thread-safe.
public protocol TaskServices: Sendable {
    /// Writes a line a task logged.
    func log(level: TaskLogLevel, message: String, taskName: String, taskID: String)
    /// Enqueues a signature or canvas given as Celery JSON and returns the id
    /// to wait on. Never runs the work inline. Inside `transaction`, the
    /// messages are held and enqueued when it commits.
    func dispatch(canvasJSON: String, from request: InvocationRequest, transaction: StateTransaction?) throws(ChorusError) -> String
    /// The key-value store that state calls of tasks from `plugin` use.
    var state: PluginStateStore { get }
    /// Opens a transaction over `state` whose held messages go to this
    /// services' broker at commit.
    func beginTransaction() throws(ChorusError) -> StateTransaction
    /// The seed of `host->random`. Each invocation draws from its own stream,
    /// derived from this seed, the task name, its arguments and its retry
    /// count — so a seeded run repeats exactly, whatever order threads run in.
    var randomSeed: UInt64 { get }
}

extension TaskServices {
    public var randomSeed: UInt64 {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }
}

/// Services for calls outside an execution engine (`chorus call`): logs go to
/// swift-log, state is in memory, and dispatching is refused with a message
/// that says what to use instead.
public struct StandaloneTaskServices: TaskServices {
    public let logger: Logger
    public let state: PluginStateStore

    public init(logger: Logger = Logger(label: "chorus.task"), state: PluginStateStore = MemoryPluginStateStore()) {
        self.logger = logger
        self.state = state
    }

    public func log(level: TaskLogLevel, message: String, taskName: String, taskID: String) {
        logger.log(level: level.loggerLevel, "\(message)", metadata: ["task": "\(taskName)", "id": "\(taskID)"])
    }

    public func dispatch(canvasJSON: String, from request: InvocationRequest, transaction: StateTransaction?) throws(ChorusError) -> String {
        throw ChorusError(.invalidState, "dispatch needs an execution engine; run the task with `chorus apply` or a worker")
    }

    public func beginTransaction() throws(ChorusError) -> StateTransaction {
        try state.beginTransaction(broker: nil)
    }
}
