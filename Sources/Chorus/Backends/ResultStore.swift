import Foundation

/// Keeps what happened to tasks: result metas (Celery's `celery-task-meta-<id>`),
/// chord fan-in counters and Chorus's attempt history.
///
/// **Synchronous by design**, like `Broker`: blocking calls made from worker
/// threads, safe from any thread, failing with `ChorusError` (`.backend`).
///
/// Contracts every implementation keeps:
/// - A stored SUCCESS is never overwritten (Celery's key-value backends refuse it too).
/// - Chord fan-in is atomic: a header part is counted once per (task id,
///   group index), and exactly one call ever returns `.completed` for a group,
///   however many threads or processes report parts concurrently or twice.
public protocol ResultStore: AnyObject, Sendable {
    /// Stores `meta` for `meta.taskID`, replacing the previous one. Returns
    /// false (and changes nothing) when the stored state is SUCCESS. A READY
    /// meta without `dateDone` gets the store's current time.
    @discardableResult
    func store(_ meta: ResultMeta) throws(ChorusError) -> Bool

    /// The stored meta, or nil when there is none (Celery reports that as PENDING).
    func result(for taskID: String) throws(ChorusError) -> ResultMeta?

    /// Blocks until the task's meta is READY (SUCCESS, FAILURE, REVOKED) and
    /// returns it, or returns nil after `timeout` seconds of the store's clock
    /// (literal, not scaled). Waits on a signal, not by polling.
    func waitForReadyResult(for taskID: String, timeout: Double) throws(ChorusError) -> ResultMeta?

    /// The READY metas among `taskIDs`, by task id, without waiting: one
    /// read for many tasks (a group's members, a batch of applied tasks).
    func readyResults(for taskIDs: [String]) throws(ChorusError) -> [String: ResultMeta]

    /// Declares how many parts complete chord group `groupID` (Celery's
    /// `set_chord_size`, called before the last header member is published).
    /// Returns `.completed` if the parts already recorded complete it (or the
    /// size is 0), otherwise `.waiting`.
    func setChordSize(_ size: Int, forGroup groupID: String) throws(ChorusError) -> ChordPartOutcome

    /// Records a header part's FINAL outcome (never RETRY) and says, atomically,
    /// whether this call completed the chord.
    func recordChordPart(_ part: ChordPart, forGroup groupID: String) throws(ChorusError) -> ChordPartOutcome

    /// Inserts or replaces the record for (`record.taskID`, `record.attempt`).
    func recordAttempt(_ record: AttemptRecord) throws(ChorusError)

    /// Records `attempt` and stores `meta` (same task) as one update: what the
    /// engine does at every start and end of a task. Readers never see the
    /// meta without its attempt. Returns what `store` returns; the attempt is
    /// recorded even when a stored SUCCESS keeps the meta from changing.
    @discardableResult
    func record(_ attempt: AttemptRecord, storing meta: ResultMeta) throws(ChorusError) -> Bool

    /// Records that `message`'s task began an attempt at `startedAt`, taken
    /// from `queue`: its STARTED meta and attempt record, as one update (see
    /// `ResultMeta.started` and `AttemptRecord.started`). A store may keep
    /// the message and build them when read (the memory backend does).
    func recordStarted(_ message: TaskMessage, queue: String, startedAt: Date) throws(ChorusError)

    /// Every attempt of one task id, by attempt number.
    func attempts(forTask taskID: String) throws(ChorusError) -> [AttemptRecord]

    /// Every attempt of every task in one workflow, in the order each attempt was first recorded.
    func attempts(forRoot rootID: String) throws(ChorusError) -> [AttemptRecord]
}

extension ResultStore {
    public func readyResults(for taskIDs: [String]) throws(ChorusError) -> [String: ResultMeta] {
        var found: [String: ResultMeta] = [:]
        for id in taskIDs {
            if let meta = try result(for: id), meta.state.isReady { found[id] = meta }
        }
        return found
    }

    public func recordStarted(_ message: TaskMessage, queue: String, startedAt: Date) throws(ChorusError) {
        try record(AttemptRecord.started(message, at: startedAt), storing: ResultMeta.started(message, queue: queue))
    }

    /// The attempt first, then the meta: storing a READY meta wakes waiters,
    /// who may read the history at once. Stores that can do both in one
    /// update (the memory backend) implement this themselves.
    @discardableResult
    public func record(_ attempt: AttemptRecord, storing meta: ResultMeta) throws(ChorusError) -> Bool {
        try recordAttempt(attempt)
        return try store(meta)
    }
}
