@testable import Chorus

/// A result store that forwards the protocol's primitive calls to a memory
/// backend and takes the protocol's defaults for `record(_:storing:)` and
/// `recordStarted` (as the SQLite backend does). Tests use it as it is, or
/// subclass it to fail or observe one call.
///
/// `@unchecked Sendable`: it holds nothing but the backend, which is Sendable.
class ForwardingResultStore: ResultStore, @unchecked Sendable {
    let inner: MemoryBackend

    init(_ inner: MemoryBackend) { self.inner = inner }

    func store(_ meta: ResultMeta) throws(ChorusError) -> Bool { try inner.store(meta) }
    func result(for taskID: String) throws(ChorusError) -> ResultMeta? { try inner.result(for: taskID) }
    func waitForReadyResult(for taskID: String, timeout: Double) throws(ChorusError) -> ResultMeta? {
        try inner.waitForReadyResult(for: taskID, timeout: timeout)
    }
    func setChordSize(_ size: Int, forGroup groupID: String) throws(ChorusError) -> ChordPartOutcome {
        try inner.setChordSize(size, forGroup: groupID)
    }
    func recordChordPart(_ part: ChordPart, forGroup groupID: String) throws(ChorusError) -> ChordPartOutcome {
        try inner.recordChordPart(part, forGroup: groupID)
    }
    func recordAttempt(_ record: AttemptRecord) throws(ChorusError) { try inner.recordAttempt(record) }
    func attempts(forTask taskID: String) throws(ChorusError) -> [AttemptRecord] { try inner.attempts(forTask: taskID) }
    func attempts(forRoot rootID: String) throws(ChorusError) -> [AttemptRecord] { try inner.attempts(forRoot: rootID) }
}
