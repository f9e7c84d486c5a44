import Chorus
import Foundation

/// The worker's background duties: a heartbeat every 2 s and a retention
/// purge every minute, on one thread that never holds up task execution.
///
/// `@unchecked Sendable`: `stopped` is only touched under `condition`.
final class Housekeeping: @unchecked Sendable {
    private let backend: SQLiteBackend
    private let workerID: String
    private let log: WorkerLog
    private let condition = NSCondition()
    private var stopped = false

    init(backend: SQLiteBackend, workerID: String, log: WorkerLog) {
        self.backend = backend
        self.workerID = workerID
        self.log = log
    }

    func start() {
        Thread.detachNewThread { [self] in loop() }
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        var beats = 0
        while true {
            condition.lock()
            if !stopped { _ = condition.wait(until: Date().addingTimeInterval(2)) }
            let done = stopped
            condition.unlock()
            if done { return }
            do {
                _ = try backend.heartbeat(workerID: workerID)
                beats += 1
                if beats % 30 == 0 { _ = try backend.purgeExpired() }
            } catch {
                log.say("housekeeping: \(error.message)")
            }
        }
    }
}
