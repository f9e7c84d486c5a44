import Collections
import Foundation

extension MemoryBackend {
    /// A chord group's fan-in counter (Celery's `.s`, `.j` and `.d` keys in one value).
    struct ChordCounter {
        var size: Int?
        var parts: [ChordPart] = []
        var seen: Set<PartKey> = []
        /// When it is dropped unless written again (see `Retention`).
        var expiresAt: MonotonicInstant?

        /// Sets the size, and makes room for that many parts: grown part by
        /// part, the set of keys was rehashed at every doubling (a 10,000-part
        /// chord rehashed ~20,000 keys). The size is the number of header
        /// members the plan published, so the room is used.
        mutating func setSize(_ size: Int) {
            self.size = size
            let room = min(size, 1 << 20)
            if room > parts.count {
                parts.reserveCapacity(room)
                seen.reserveCapacity(room)
            }
        }

        /// Counts `part` unless its key was counted before; false for a duplicate.
        mutating func add(_ part: ChordPart, key: PartKey) -> Bool {
            guard seen.insert(key).inserted else { return false }
            parts.append(part)
            return true
        }

        /// Moves the deadline to `deadline`; returns the size, the parts
        /// counted, and whether the counter had a deadline (an expiry entry) already.
        mutating func touch(expiresAt deadline: MonotonicInstant) -> (size: Int?, ready: Int, wasQueued: Bool) {
            let wasQueued = expiresAt != nil
            expiresAt = deadline
            return (size, parts.count, wasQueued)
        }
    }

    /// A part already counted: the task (as its 128-bit key, which hashes
    /// two words instead of a 36-byte string) at its slot.
    struct PartKey: Hashable {
        let task: TaskKey
        let groupIndex: Int

        /// The task key's fast hash (see `TaskKey._rawHashValue(seed:)`),
        /// with the slot folded into the seed.
        func _rawHashValue(seed: Int) -> Int {
            task._rawHashValue(seed: seed &+ groupIndex &* 0x2545_F491_4F6C_DD1D)
        }
    }

    struct AttemptKey: Hashable {
        let taskID: String
        let attempt: Int
    }

    /// What is kept for one task id: its meta and its attempts. One hash
    /// lookup reaches both, so recording an attempt together with its meta
    /// (what the engine does at every end) costs one lookup. An attempt
    /// under way is not here but in `ResultState.running`.
    struct TaskEntry {
        var meta: ResultMeta?
        /// When `meta` is dropped unless written again (see `Retention`).
        var metaExpiresAt: MonotonicInstant?
        /// In attempt order (most tasks have one attempt, recorded twice —
        /// STARTED, then its end — held inline by `AttemptList`).
        var attempts = AttemptList()
    }

    /// An attempt that began (`ResultStore.recordStarted`) and has not ended:
    /// its STARTED meta and record are built from the message when read, and
    /// the record of its end takes its place. Building both boxes at every
    /// start, only for the end to replace them, was ~10% of a no-op task.
    /// While it is held, it is its task's meta and last attempt.
    struct Running {
        let message: TaskMessage
        let queue: String
        let startedAt: Date
        /// When it was first recorded (workflow order), as `StoredAttempt.sequence`.
        let sequence: UInt64

        var attempt: Int { message.headers.retries + 1 }
        var rootID: String? { message.headers.rootID }
        var meta: ResultMeta { .started(message, queue: queue) }
        var stored: StoredAttempt { StoredAttempt(record: .started(message, at: startedAt), sequence: sequence, expiresAt: nil) }
    }

    /// An attempt record and when it was first recorded under its root: a
    /// workflow's attempts are listed in that order.
    struct StoredAttempt {
        var record: AttemptRecord
        var sequence: UInt64
        /// When it is dropped unless recorded again (see `Retention`); nil
        /// while the attempt is under way.
        var expiresAt: MonotonicInstant?
    }

    /// Everything the result side holds. Pure data; `MemoryBackend` does the locking.
    struct ResultState {
        var tasks: [TaskKey: TaskEntry] = [:]
        /// Attempts under way, by task: about one per executor, so this table
        /// stays small and in cache. Held in `tasks`, every entry kept for a
        /// day carried 40 bytes for a state it left microseconds after it was
        /// created: that table is rehashed and grown into fresh pages as
        /// results pile up (its growth was 40% of a no-op task's page faults).
        var running: [TaskKey: Running] = [:]
        var chords = ChordCounters()
        /// Groups whose chord has fired (Celery's `.c = "done"`), until when
        /// that is remembered.
        var completedChords: [String: MonotonicInstant] = [:]
        /// Attempt keys of each root in first-recorded order, for records of
        /// OTHER tasks than the root itself: a root's own attempts are found
        /// in its entry, so a task sent on its own (its own root) costs no
        /// index entry. A key is only appended when its record is new to that
        /// root, so it is never listed twice; the rare record that moves to
        /// another root is removed from the old root's list by a linear search.
        var attemptsByRoot = AttemptsByRoot()
        /// Orders attempts recorded under one root (see `StoredAttempt`).
        var attemptSequence: UInt64 = 0
        /// Threads blocked in `waitForReadyResult`, counted by the task they wait for.
        var blockedWaiters: [TaskKey: Int] = [:]
        /// Suspended `readyResult(for:)` callers by task id and waiter id.
        var asyncWaiters: [String: [UInt64: CheckedContinuation<ResultMeta, any Error>]] = [:]
        /// Waiters that started and have not been resumed yet.
        var activeWaiters: Set<UInt64> = []
        /// Active waiters cancelled before they suspended.
        var cancelledWaiters: Set<UInt64> = []
        var nextWaiterID: UInt64 = 0
        var retention = Retention()
        var expiry = ExpiryQueues()

        func meta(for taskID: String) -> ResultMeta? {
            let key = TaskKey(taskID)
            let meta = tasks[key]?.meta
            if let running = running[key], meta?.state != .success { return running.meta }
            return meta
        }

        /// The meta of `key` if it is ready (what a waiter waits for). Read in
        /// place: `tasks[key]?.meta` copied the whole entry — its running
        /// message, meta and attempts retained, then released — at every wait.
        mutating func readyMeta(for key: TaskKey) -> ResultMeta? {
            guard let index = tasks.index(forKey: key) else { return nil }
            return Self.readyMeta(of: &tasks.values[index])
        }

        /// `inout` so that the entry is read where it is stored, not copied out.
        private static func readyMeta(of entry: inout TaskEntry) -> ResultMeta? {
            guard let meta = entry.meta, meta.state.isReady else { return nil }
            return meta
        }

        /// Records the start of an attempt as a `Running` entry when that is
        /// all it changes: the task has no ready meta and no record of this or
        /// a later attempt (the first start of each attempt). Anything else —
        /// a redelivered attempt after its end was stored, a start after
        /// SUCCESS — is stored in full, as before.
        mutating func start(_ message: TaskMessage, queue: String, startedAt: Date, key: TaskKey) {
            attemptSequence += 1
            let sequence = attemptSequence
            let attempt = message.headers.retries + 1
            var added = false
            var simple = true
            if let index = tasks.index(forKey: key) {
                simple = Self.allowsSimpleStart(of: attempt, in: &tasks.values[index])
            }
            if simple {
                // One lookup for reading and writing the slot.
                Self.update(&running[key]) { slot in
                    if let current = slot {
                        // The same attempt delivered again: it keeps its place.
                        guard current.attempt == attempt, current.rootID == message.headers.rootID else { simple = false; return }
                        slot = Running(message: message, queue: queue, startedAt: startedAt, sequence: current.sequence)
                    } else {
                        slot = Running(message: message, queue: queue, startedAt: startedAt, sequence: sequence)
                        added = true
                    }
                }
            }
            if !simple {
                _ = store(.started(message, queue: queue), attempt: .started(message, at: startedAt), key: key, now: nil)
                return
            }
            if added, let root = message.headers.rootID, root != message.id {
                attemptsByRoot.append(AttemptKey(taskID: message.id, attempt: attempt), toRoot: root)
            }
        }

        /// Runs `body` on a table slot in place: passed `&table[key]`, the
        /// dictionary's accessor finds the key once for both the read and
        /// the write (a read, then an assignment, hashed it twice).
        private static func update<Value>(_ slot: inout Value?, _ body: (inout Value?) -> Void) { body(&slot) }

        /// Whether a start of `attempt` only adds a `Running` entry: the task
        /// has no ready meta and no record of this or a later attempt. Read in
        /// place (`inout`), not copied out of the table.
        private static func allowsSimpleStart(of attempt: Int, in entry: inout TaskEntry) -> Bool {
            if let meta = entry.meta, meta.state.isReady { return false }
            if let last = entry.attempts.last, last.record.attempt >= attempt { return false }
            return true
        }

        /// Stores `meta` (and `attempt`, when given, in the same lookup) unless
        /// a SUCCESS is already stored, in which case the meta is left alone
        /// (a result is final once it succeeded) and false is returned. The
        /// attempt is recorded either way: it is history, not the result.
        ///
        /// Retention counts from the write that ends a record — a ready meta,
        /// an attempt that ended — so `now` is only needed then (nil
        /// otherwise): a meta or attempt still under way does not expire.
        mutating func store(_ meta: ResultMeta?, attempt: AttemptRecord?, key: TaskKey, now: MonotonicInstant?) -> Bool {
            var stored = false
            var old: AttemptRecord?
            var endsRunning = false
            attemptSequence += 1
            var sequence = attemptSequence
            let metaDeadline = meta.flatMap { $0.state.isReady ? now.map(retention.resultDeadline(after:)) : nil }
            let attemptDeadline = attempt.flatMap { $0.state.endsAttempt ? now.map(retention.attemptDeadline(after:)) : nil }
            // Any write ends the attempt under way, if there is one.
            let underWay = running.isEmpty ? nil : running.removeValue(forKey: key)
            // `tasks[id, default:]` in place: one hash lookup for reading and writing.
            withEntry(key) { entry in
                if let underWay {
                    if let attempt, attempt.attempt == underWay.attempt, attempt.rootID == underWay.rootID {
                        // Its end: the record takes the running attempt's
                        // first-recorded place (as `put` replaces a stored one).
                        sequence = underWay.sequence
                        endsRunning = true
                    } else {
                        // Any other write keeps it, built now: in the history,
                        // and as the meta unless this write replaces that too.
                        entry.attempts.append(underWay.stored)
                        if entry.meta?.state != .success {
                            entry.meta = underWay.meta
                            entry.metaExpiresAt = nil
                        }
                    }
                }
                if let meta, entry.meta?.state != .success {
                    entry.meta = meta
                    entry.metaExpiresAt = metaDeadline
                    stored = true
                }
                if let attempt { old = Self.put(attempt, sequence: sequence, expiresAt: attemptDeadline, into: &entry.attempts) }
            }
            let endsResult = stored && metaDeadline != nil
            let endedAttempt = attemptDeadline != nil ? Int32(clamping: attempt?.attempt ?? 0) : 0
            if endsResult || endedAttempt > 0, let now {
                expiry.ended.append(Ended(at: now, key: key, attempt: endedAttempt, endsResult: endsResult))
            }
            if let attempt {
                // An ended running attempt was indexed when it started.
                if !endsRunning { index(attempt, replacing: old) }
            }
            if let now { purgeExpired(now: now) }
            return stored
        }

        private mutating func withEntry(_ key: TaskKey, _ body: (inout TaskEntry) -> Void) {
            body(&tasks[key, default: TaskEntry()])
        }

        /// Keeps `attemptsByRoot` in step with a recorded attempt.
        private mutating func index(_ attempt: AttemptRecord, replacing old: AttemptRecord?) {
            // A replaced record under the same root (STARTED, then its end) is
            // already listed there, in its first-recorded place.
            guard old == nil || old?.rootID != attempt.rootID else { return }
            let key = AttemptKey(taskID: attempt.taskID, attempt: attempt.attempt)
            if let oldRoot = old?.rootID, oldRoot != attempt.taskID, let at = attemptsByRoot[oldRoot]?.firstIndex(of: key) {
                attemptsByRoot[oldRoot]!.remove(at: at)
            }
            if let root = attempt.rootID, root != attempt.taskID { attemptsByRoot.append(key, toRoot: root) }
        }

        /// Fires the chord if its parts are all in; the counter is then dropped
        /// and the group remembered as done, so it fires exactly once. Works on
        /// the counter at `index` in place: one hash of the group id per part
        /// (there were five, each over 36 bytes, for every member of a chord).
        private mutating func completeIfReady(at index: ChordCounters.Index, now: MonotonicInstant) -> ChordPartOutcome {
            let deadline = retention.resultDeadline(after: now)
            defer { purgeExpired(now: now) }
            // One access to the counter for what is read and written here: each
            // read through `chords.values[index]` copied the whole counter.
            let (size, ready, wasQueued) = chords[at: index].touch(expiresAt: deadline)
            guard let size, ready >= size else {
                // The expiry queue holds one entry per counter; a purge that finds
                // the counter written since puts it back at its new deadline.
                if !wasQueued { expiry.chords.insert(Deadline(at: deadline, key: chords.groupID(at: index))) }
                return .waiting(ready: ready, size: size)
            }
            let (groupID, counter) = chords.remove(at: index)
            completedChords[groupID] = deadline
            expiry.chords.insert(Deadline(at: deadline, key: groupID))
            return .completed(counter.parts.sorted { $0.groupIndex < $1.groupIndex })
        }

        /// The counter of `groupID`, created if new; nil once the chord completed.
        private mutating func counterIndex(_ groupID: String) -> ChordCounters.Index? {
            if let index = chords.index(forKey: groupID) { return index }
            guard completedChords[groupID] == nil else { return nil }
            chords[groupID] = ChordCounter()
            return chords.index(forKey: groupID)
        }

        mutating func setChordSize(_ size: Int, groupID: String, now: MonotonicInstant) -> ChordPartOutcome {
            guard let index = counterIndex(groupID) else { return .alreadyCompleted }
            chords[at: index].setSize(size)
            return completeIfReady(at: index, now: now)
        }

        mutating func record(_ part: ChordPart, groupID: String, now: MonotonicInstant) -> ChordPartOutcome {
            guard let index = counterIndex(groupID) else { return .alreadyCompleted }
            // Mutate the counter in place: copying it out and back copied its
            // set and array on every part, O(n^2) for an n-part chord.
            let key = PartKey(task: TaskKey(part.taskID), groupIndex: part.groupIndex)
            guard chords[at: index].add(part, key: key) else {
                return .duplicate(ready: chords[at: index].parts.count, size: chords[at: index].size)
            }
            return completeIfReady(at: index, now: now)
        }

        /// Replaces the record of the same attempt or inserts it in attempt
        /// order; returns the record it replaced. A replacement keeps its
        /// first-recorded `sequence` unless it moved to another root.
        static func put(
            _ record: AttemptRecord, sequence: UInt64, expiresAt: MonotonicInstant?, into list: inout AttemptList
        ) -> AttemptRecord? {
            // Searched from the end: the attempt recorded is nearly always the last one.
            var index = list.endIndex
            while index > list.startIndex, list[index - 1].record.attempt >= record.attempt {
                index -= 1
                if list[index].record.attempt == record.attempt {
                    let old = list[index].record
                    if old.rootID != record.rootID { list[index].sequence = sequence }
                    list[index].record = record
                    list[index].expiresAt = expiresAt
                    return old
                }
            }
            list.insert(StoredAttempt(record: record, sequence: sequence, expiresAt: expiresAt), at: index)
            return nil
        }

        func attempts(forTask taskID: String) -> [AttemptRecord] {
            let key = TaskKey(taskID)
            let stored = tasks[key].map { Array($0.attempts) } ?? []
            // A running attempt is always the latest.
            return (stored + (running[key].map { [$0.stored] } ?? [])).map(\.record)
        }

        /// The stored or running record of `attempt` of task `key`.
        private func attempt(_ attempt: Int, of key: TaskKey) -> StoredAttempt? {
            if let current = running[key], current.attempt == attempt { return current.stored }
            return tasks[key]?.attempts.first { $0.record.attempt == attempt }
        }

        /// The root's own attempts and the indexed ones of the other tasks
        /// of its workflow, in first-recorded order.
        func attempts(forRoot rootID: String) -> [AttemptRecord] {
            let rootKey = TaskKey(rootID)
            var found = (tasks[rootKey]?.attempts ?? AttemptList()).filter { $0.record.rootID == rootID }
            if let current = running[rootKey], current.rootID == rootID { found.append(current.stored) }
            for key in attemptsByRoot[rootID] ?? [] {
                if let stored = attempt(key.attempt, of: TaskKey(key.taskID)) { found.append(stored) }
            }
            return found.sorted { $0.sequence < $1.sequence }.map(\.record)
        }
    }
}
