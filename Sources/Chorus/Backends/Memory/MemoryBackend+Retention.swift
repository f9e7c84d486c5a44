import Collections

/// Retention in memory: results and chord counters are dropped
/// `resultExpires` after they were last written (default 1 day, Celery's
/// `result_expires`), attempt records `attemptExpires` after they were
/// recorded (7 days) — the SQLite backend's rules. Without it an embedded
/// runtime kept about a kilobyte per task for as long as it ran.
///
/// Every write that ends a record appends one entry — when, which task, which
/// attempt — to one queue. Both deadlines are the write time plus a constant,
/// so the queue is in deadline order for each kind: a cursor per kind walks
/// it from the front, and entries both cursors passed are dropped, O(1) per
/// write. (Two queues, one per kind, cost ~50 bytes more per task.) An entry
/// superseded by a later write of the same record is skipped. Dropping
/// happens at the next write after a deadline, so expired data stays
/// readable until then (as in the SQLite backend until its next purge).
extension MemoryBackend {
    /// How long the memory backend keeps what tasks leave behind.
    public struct Retention: Sendable, Hashable {
        /// Seconds a result (and a chord counter) is kept after its last write.
        public private(set) var resultExpires: Double = 86_400
        /// Seconds an attempt record is kept after it was last recorded.
        public private(set) var attemptExpires: Double = 7 * 86_400

        /// The two spans in whole nanoseconds, so a deadline is one addition
        /// (`deadline(after:_:)`): `MonotonicInstant.advanced(bySeconds:)`
        /// rounds a Double each time (~70 instructions), and every result
        /// stored, attempt ended and chord part counted computes one or two.
        private(set) var resultNanoseconds = Retention.nanoseconds(86_400)
        private(set) var attemptNanoseconds = Retention.nanoseconds(7 * 86_400)

        /// Celery's defaults: results for 1 day, attempt history for 7.
        public init() {}

        public init(resultExpires: Double, attemptExpires: Double) throws(ChorusError) {
            guard resultExpires.isFinite, resultExpires > 0 else {
                throw ChorusError(.invalidInput, "result expiry must be a positive number of seconds, got \(resultExpires)")
            }
            guard attemptExpires.isFinite, attemptExpires > 0 else {
                throw ChorusError(.invalidInput, "attempt expiry must be a positive number of seconds, got \(attemptExpires)")
            }
            self.resultExpires = resultExpires
            self.attemptExpires = attemptExpires
            resultNanoseconds = Retention.nanoseconds(resultExpires)
            attemptNanoseconds = Retention.nanoseconds(attemptExpires)
        }

        /// Positive finite seconds as nanoseconds, rounded as `advanced(bySeconds:)` rounds, saturating.
        private static func nanoseconds(_ seconds: Double) -> UInt64 {
            let delta = (seconds * 1e9).rounded()
            return delta >= Double(UInt64.max) ? .max : UInt64(delta)
        }

        /// `nanoseconds` after `instant`, saturating at `distantFuture`
        /// (as `advanced(bySeconds:)` does).
        static func deadline(after instant: MonotonicInstant, _ nanoseconds: UInt64) -> MonotonicInstant {
            let (sum, overflow) = instant.nanoseconds.addingReportingOverflow(nanoseconds)
            return overflow ? .distantFuture : MonotonicInstant(nanoseconds: sum)
        }

        /// When a result written at `instant` expires.
        func resultDeadline(after instant: MonotonicInstant) -> MonotonicInstant { Self.deadline(after: instant, resultNanoseconds) }

        /// When an attempt record written at `instant` expires.
        func attemptDeadline(after instant: MonotonicInstant) -> MonotonicInstant { Self.deadline(after: instant, attemptNanoseconds) }
    }

    /// When a stored record falls due, and which one.
    struct Deadline<Key> {
        let at: MonotonicInstant
        let key: Key
    }

    /// A write that ended a task's result, an attempt record, or both.
    struct Ended {
        /// When it was written: the deadlines are this plus each kind's expiry.
        let at: MonotonicInstant
        let key: TaskKey
        /// The attempt record it ended; 0 for none. 32 bits keep the entry at
        /// 40 bytes; an attempt past 2^31 (never reached) would not expire.
        let attempt: Int32
        /// Whether it stored a ready result.
        let endsResult: Bool
    }

    /// The expiry queues of `ResultState`.
    struct ExpiryQueues {
        /// Results and attempt records, in write order (see above).
        var ended = Deque<Ended>()
        /// How many entries of `ended` the result and attempt purges have passed.
        var resultsPassed = 0
        var attemptsPassed = 0
        /// One entry per chord counter and per completed chord, in deadline
        /// order (a heap: an entry put back at a counter's later deadline may
        /// belong before entries queued since).
        var chords = Heap<Deadline<String>>()
    }
}

extension MemoryBackend.Deadline: Comparable, Equatable where Key == String {
    static func < (a: Self, b: Self) -> Bool { a.at < b.at }
    static func == (a: Self, b: Self) -> Bool { a.at == b.at && a.key == b.key }
}

extension MemoryBackend.ResultState {
    /// Drops every record whose deadline is `now` or earlier.
    mutating func purgeExpired(now: MonotonicInstant) {
        while expiry.resultsPassed < expiry.ended.count {
            let entry = expiry.ended[expiry.resultsPassed]
            let due = retention.resultDeadline(after: entry.at)
            guard due <= now else { break }
            expiry.resultsPassed += 1
            guard entry.endsResult, tasks[entry.key]?.metaExpiresAt == due else { continue }  // written again since
            tasks[entry.key]!.meta = nil
            tasks[entry.key]!.metaExpiresAt = nil
            dropIfEmpty(entry.key)
        }
        while expiry.attemptsPassed < expiry.ended.count {
            let entry = expiry.ended[expiry.attemptsPassed]
            let due = retention.attemptDeadline(after: entry.at)
            guard due <= now else { break }
            expiry.attemptsPassed += 1
            guard entry.attempt > 0, let index = tasks[entry.key]?.attempts.firstIndex(where: {
                $0.record.attempt == Int(entry.attempt) && $0.expiresAt == due
            }) else { continue }
            let record = tasks[entry.key]!.attempts.remove(at: index).record
            unindex(record)
            dropIfEmpty(entry.key)
        }
        let passed = min(expiry.resultsPassed, expiry.attemptsPassed)
        if passed > 0 {
            expiry.ended.removeFirst(passed)
            expiry.resultsPassed -= passed
            expiry.attemptsPassed -= passed
        }
        while let due = expiry.chords.min, due.at <= now {
            expiry.chords.removeMin()
            if let expiresAt = chords[due.key]?.expiresAt {
                // Written again since this entry was queued: check again then.
                if expiresAt <= now { chords[due.key] = nil } else { expiry.chords.insert(MemoryBackend.Deadline(at: expiresAt, key: due.key)) }
            }
            if let done = completedChords[due.key], done <= now { completedChords[due.key] = nil }
        }
    }

    /// Forgets a task id once nothing of it is left.
    private mutating func dropIfEmpty(_ key: TaskKey) {
        // An attempt under way is held apart (`running`): it needs no entry here.
        if let entry = tasks[key], entry.meta == nil, entry.attempts.isEmpty { tasks[key] = nil }
    }

    /// Removes an expired record from its workflow's index. Records expire
    /// in about the order they were indexed, so it is nearly always first.
    private mutating func unindex(_ record: AttemptRecord) {
        guard let root = record.rootID, root != record.taskID else { return }
        let key = MemoryBackend.AttemptKey(taskID: record.taskID, attempt: record.attempt)
        if attemptsByRoot[root]?.first == key {
            attemptsByRoot[root]!.removeFirst()
        } else if let at = attemptsByRoot[root]?.firstIndex(of: key) {
            attemptsByRoot[root]!.remove(at: at)
        }
        if attemptsByRoot[root]?.isEmpty == true { attemptsByRoot[root] = nil }
    }
}
