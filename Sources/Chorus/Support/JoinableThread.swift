import Foundation

/// A thread that can be joined: `join()` returns once it has fully exited.
///
/// Foundation's `Thread` is detached. A runtime that shut down had stopped
/// its threads' loops, but a thread could still be unwinding (and holding its
/// stack and TLS) when `chorus_runtime_destroy` returned — valgrind saw the
/// TLS block as possibly lost now and then, and a host that unloads libchorus
/// right after could crash. Pools join their threads at shutdown instead.
final class JoinableThread: @unchecked Sendable {
    /// What the new thread runs; owned by the thread once it starts.
    private final class Start {
        let name: String
        let body: () -> Void
        init(name: String, body: @escaping () -> Void) {
            self.name = name
            self.body = body
        }
    }

    #if canImport(Darwin)
    private var handle: pthread_t?
    #else
    private var handle = pthread_t()
    #endif

    /// Starts `body` on a new thread named `name` (Linux shows 15 bytes of
    /// it), with `stackSize` bytes of stack (0: the platform default).
    init(name: String, stackSize: Int = 0, _ body: @escaping () -> Void) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if stackSize > 0 {
            // pthreads would ignore a size it refuses and use the default.
            let status = pthread_attr_setstacksize(&attributes, stackSize)
            precondition(status == 0, "cannot give thread \(name) a stack of \(stackSize) bytes (error \(status)); use 0 for the default or a larger size")
        }
        let start = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        let status = pthread_create(&handle, &attributes, JoinableThread.entry, start)
        precondition(status == 0, "cannot start thread \(name): pthread_create failed with error \(status) (thread or memory limit reached)")
    }

    #if canImport(Darwin)
    private static let entry: @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? = { raw in
        run(raw)
        return nil
    }
    #else
    private static let entry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
        run(raw!)
        return nil
    }
    #endif

    private static func run(_ raw: UnsafeMutableRawPointer) {
        let start = Unmanaged<Start>.fromOpaque(raw).takeRetainedValue()
        Thread.current.name = start.name  // what debuggers and `top -H` show
        start.body()
    }

    /// Whether the calling thread is this one.
    var isCurrent: Bool {
        #if canImport(Darwin)
        guard let handle else { return false }
        #endif
        return pthread_equal(pthread_self(), handle) != 0
    }

    /// Waits until the thread has exited, or — called from the thread itself,
    /// which cannot wait for itself — lets it clean up after itself when it
    /// exits. Call at most once.
    func join() {
        #if canImport(Darwin)
        guard let handle else { return }
        #endif
        if pthread_equal(pthread_self(), handle) != 0 {
            pthread_detach(handle)
        } else {
            pthread_join(handle, nil)
        }
    }
}
