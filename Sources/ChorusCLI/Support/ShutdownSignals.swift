import Foundation

/// SIGTERM/SIGINT handling in one place: the first signal starts a warm
/// shutdown, a second one can trigger a cold one.
final class ShutdownSignals: @unchecked Sendable {
    // `sources` are only touched on the main thread during setup; `count` under `lock`.
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var count = 0
    private var second: (@Sendable () -> Void)?
    private let first = DispatchSemaphore(value: 0)

    init() {
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in received() }
            source.resume()
            sources.append(source)
        }
    }

    private func received() {
        lock.lock()
        count += 1
        let n = count
        let handler = second
        lock.unlock()
        if n == 1 { first.signal() } else { handler?() }
    }

    func waitForFirst() { first.wait() }

    func onSecond(_ handler: @escaping @Sendable () -> Void) {
        lock.lock()
        second = handler
        let already = count > 1
        lock.unlock()
        if already { handler() }
    }
}
