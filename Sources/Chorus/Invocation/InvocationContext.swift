import Foundation
import Synchronization

/// The host side of a `chorus_context *`: everything the host API needs while
/// one native invocation runs.
///
/// The pointer a plugin receives is not this object's address but an opaque
/// token (a number that is never reused). Host functions find the live context
/// through a thread-local slot and compare tokens, so a context used after its
/// task returned, or from another thread, is detected and refused without
/// touching freed memory.
///
/// Not thread-safe by design: only the thread running the invocation touches it.
final class InvocationContext {
    /// What the plugin asked for besides returning.
    enum Directive {
        case fail(message: String, permanent: Bool)
        case retry(countdown: Double?, message: String?)
    }

    private static let nextToken = Atomic<UInt>(1)

    let token: UInt
    let taskName: String
    let stateNamespace: String
    let request: InvocationRequest
    let services: TaskServices
    var directive: Directive?
    /// The transaction opened with `transaction_begin`, if any.
    var transaction: StateTransaction?
    private var allocations: [UnsafeMutableRawPointer] = []
    private var cStrings: [String: UnsafeMutablePointer<CChar>] = [:]

    /// The arguments, kept to seed this invocation's random stream on first use.
    private let arguments: [JSON]
    private var randomState: UInt64?

    init(task: RegisteredTask, request: InvocationRequest, services: TaskServices, arguments: [JSON] = []) {
        token = Self.nextToken.wrappingAdd(1, ordering: .relaxed).oldValue
        taskName = task.name
        stateNamespace = task.stateNamespace
        self.request = request
        self.services = services
        self.arguments = arguments
    }

    /// The next number of this invocation's random stream (SplitMix64), seeded
    /// from the services' seed, the task name, the arguments and the retry count.
    func nextRandom() -> UInt64 {
        if randomState == nil {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
            for byte in "\(taskName)|\(JSON.array(arguments).serialized())|\(request.retries)".utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            randomState = services.randomSeed ^ hash
        }
        randomState! &+= 0x9E37_79B9_7F4A_7C15
        var z = randomState!
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    deinit {
        if let transaction {
            transaction.rollback()
            services.log(level: .warning, message: "the task returned with its transaction open; it was rolled back", taskName: taskName, taskID: request.taskID)
        }
        for p in allocations { free(p) }
        for p in cStrings.values { free(p) }
    }

    /// The opaque pointer handed to the plugin.
    var handle: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: token)! }

    /// Memory that lives until the invocation ends.
    func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        guard size > 0, let p = malloc(size) else { return nil }
        allocations.append(p)
        return p
    }

    /// A C copy of `text` that lives until the invocation ends; cached by key.
    func cString(_ text: String, cacheKey: String? = nil) -> UnsafePointer<CChar>? {
        if let key = cacheKey, let p = cStrings[key] { return UnsafePointer(p) }
        guard let p = strdup(text) else { return nil }
        if let key = cacheKey { cStrings[key] = p } else { allocations.append(UnsafeMutableRawPointer(p)) }
        return UnsafePointer(p)
    }

    // MARK: - The current context of this thread

    private static let slot: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` with this context installed as the thread's live context.
    func withInstalled<R>(_ body: () throws -> R) rethrows -> R {
        let previous = pthread_getspecific(Self.slot)
        pthread_setspecific(Self.slot, Unmanaged.passUnretained(self).toOpaque())
        defer { pthread_setspecific(Self.slot, previous) }
        return try body()
    }

    /// The live context `handle` names, if it is installed on this thread.
    static func live(_ handle: OpaquePointer?) -> InvocationContext? {
        guard let handle, let raw = pthread_getspecific(slot) else { return nil }
        let context = Unmanaged<InvocationContext>.fromOpaque(raw).takeUnretainedValue()
        return UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle))) == context.token ? context : nil
    }
}
