import Chorus
import Foundation

/// Prints one line per task state change while work runs (on stderr, so
/// stdout carries only the result).
///
/// `@unchecked Sendable`: `lock` serialises writes from worker threads.
final class ProgressPrinter: @unchecked Sendable {
    private let start = Date()
    private let lock = NSLock()

    func print(_ event: TaskEvent) {
        let elapsed = String(format: "%8.3fs", event.time.timeIntervalSince(start))
        let state: String
        var detail = ""
        switch event.kind {
        case .sent: return
        case .started: state = "STARTED"
        case .succeeded:
            state = "SUCCESS"
            if let r = event.result { detail = " → " + AttemptTable.clip(r.serialized(), 60) }
        case .retried:
            state = "RETRY"
            detail = " in \(AttemptTable.seconds(event.countdown ?? 0)): \(event.error ?? "")"
        case .failed:
            state = "FAILURE"
            detail = ": \(event.error ?? "")"
        case .revoked:
            state = "REVOKED"
            detail = ": \(event.error ?? "")"
        }
        let line = "\(elapsed)  \(state.padding(toLength: 7, withPad: " ", startingAt: 0))  \(event.taskName)[\(AttemptTable.short(event.taskID))] attempt \(event.attempt)\(detail)\n"
        lock.lock()
        FileHandle.standardError.write(Data(line.utf8))
        lock.unlock()
    }
}
