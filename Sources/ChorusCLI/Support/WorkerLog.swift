import Chorus
import Foundation

/// Timestamped lines on stderr for a long-running worker.
final class WorkerLog: Sendable {
    func say(_ message: String) {
        FileHandle.standardError.write(Data("[\(CeleryDate.format(Date()))] \(message)\n".utf8))
    }
}
