import Foundation

/// A `Broker` and `ResultStore` that lives in process memory: for tests, demos
/// and single-process runs. Nothing survives a restart; results and history
/// expire as its `Retention` says.
///
/// Threading: safe from any thread. Broker state and result state each sit
/// behind their own `NSCondition`, so claiming never contends with storing
/// results. Blocking calls (`claim`, `waitForReadyResult`) sleep on those
/// conditions through the injected `RuntimeClock` and are woken by
/// `publish`/`store`; they never poll. With a `ManualClock`, advancing it
/// makes eta messages due and lapses leases deterministically.
public final class MemoryBackend: @unchecked Sendable {
    public let clock: any RuntimeClock
    /// Scales eta waits and lease lengths (see `TimeScale`).
    public let scale: TimeScale

    // Invariant: `brokerState` is only read or written with `brokerCondition`
    // locked, and `resultState` only with `resultCondition` locked. Code never
    // holds both at once, so there is no lock-order deadlock. The locks are
    // what makes accesses exclusive, so the runtime check is switched off.
    let brokerCondition = SpinningCondition()
    @exclusivity(unchecked) var brokerState = BrokerState()
    let resultCondition = SpinningCondition()
    @exclusivity(unchecked) var resultState = ResultState()

    /// `retention`: how long results, chord counters and attempt history
    /// are kept (default: Celery's day for results, a week for attempts).
    public init(clock: any RuntimeClock = SystemClock.shared, scale: TimeScale = .realTime, retention: Retention = Retention()) {
        self.clock = clock
        self.scale = scale
        resultState.retention = retention
    }

    /// Runs `body` with the broker state locked.
    func withBroker<R>(_ body: (inout BrokerState) throws(ChorusError) -> R) throws(ChorusError) -> R {
        brokerCondition.lock()
        defer { brokerCondition.unlock() }
        return try body(&brokerState)
    }

    /// Runs `body` with the result state locked.
    func withResults<R>(_ body: (inout ResultState) throws(ChorusError) -> R) throws(ChorusError) -> R {
        resultCondition.lock()
        defer { resultCondition.unlock() }
        return try body(&resultState)
    }
}
