import OrderedCollections

extension MemoryBackend {
    /// A chord group's fan-in counter (Celery's `.s`, `.j` and `.d` keys in one value).
    struct ChordCounter {
        var size: Int?
        var parts: [ChordPart] = []
        var seen: Set<PartKey> = []
    }

    struct PartKey: Hashable {
        let taskID: String
        let groupIndex: Int
    }

    struct AttemptKey: Hashable {
        let taskID: String
        let attempt: Int
    }

    /// Everything the result side holds. Pure data; `MemoryBackend` does the locking.
    struct ResultState {
        var metas: [String: ResultMeta] = [:]
        var chords: [String: ChordCounter] = [:]
        /// Groups whose chord has fired (Celery's `.c = "done"`).
        var completedChords: Set<String> = []
        /// Each task's attempts, in attempt order (a short array: most tasks
        /// have one attempt, recorded twice — STARTED, then its end).
        var attemptsByTask: [String: [AttemptRecord]] = [:]
        /// Attempt keys of each root in first-recorded order.
        var attemptsByRoot: [String: OrderedSet<AttemptKey>] = [:]
        /// Suspended `readyResult(for:)` callers by task id and waiter id.
        var asyncWaiters: [String: [UInt64: CheckedContinuation<ResultMeta, any Error>]] = [:]
        /// Waiters that started and have not been resumed yet.
        var activeWaiters: Set<UInt64> = []
        /// Active waiters cancelled before they suspended.
        var cancelledWaiters: Set<UInt64> = []
        var nextWaiterID: UInt64 = 0

        /// Fires the chord if its parts are all in; the counter is then dropped
        /// and the group remembered as done, so it fires exactly once.
        mutating func completeIfReady(_ groupID: String) -> ChordPartOutcome {
            guard let counter = chords[groupID] else { return .alreadyCompleted }
            guard let size = counter.size, counter.parts.count >= size else {
                return .waiting(ready: counter.parts.count, size: counter.size)
            }
            chords[groupID] = nil
            completedChords.insert(groupID)
            return .completed(counter.parts.sorted { $0.groupIndex < $1.groupIndex })
        }

        mutating func setChordSize(_ size: Int, groupID: String) -> ChordPartOutcome {
            guard !completedChords.contains(groupID) else { return .alreadyCompleted }
            chords[groupID, default: ChordCounter()].size = size
            return completeIfReady(groupID)
        }

        mutating func record(_ part: ChordPart, groupID: String) -> ChordPartOutcome {
            guard !completedChords.contains(groupID) else { return .alreadyCompleted }
            let key = PartKey(taskID: part.taskID, groupIndex: part.groupIndex)
            // Mutate the counter in place: copying it out and back copied its
            // set and array on every part, O(n^2) for an n-part chord.
            guard chords[groupID, default: ChordCounter()].seen.insert(key).inserted else {
                let counter = chords[groupID]!
                return .duplicate(ready: counter.parts.count, size: counter.size)
            }
            chords[groupID]!.parts.append(part)
            return completeIfReady(groupID)
        }

        mutating func record(_ attempt: AttemptRecord) {
            let key = AttemptKey(taskID: attempt.taskID, attempt: attempt.attempt)
            let old = Self.put(attempt, into: &attemptsByTask[attempt.taskID, default: []])
            if let oldRoot = old?.rootID, oldRoot != attempt.rootID {
                attemptsByRoot[oldRoot]?.remove(key)
            }
            // A replaced record under the same root (STARTED, then its end) is
            // already listed there, in its first-recorded place.
            if let root = attempt.rootID, old?.rootID != root {
                attemptsByRoot[root, default: []].append(key)
            }
        }

        /// Replaces the record of the same attempt or inserts it in attempt
        /// order; returns the record it replaced.
        static func put(_ record: AttemptRecord, into list: inout [AttemptRecord]) -> AttemptRecord? {
            // Searched from the end: the attempt recorded is nearly always the last one.
            var index = list.endIndex
            while index > list.startIndex, list[index - 1].attempt >= record.attempt {
                index -= 1
                if list[index].attempt == record.attempt {
                    let old = list[index]
                    list[index] = record
                    return old
                }
            }
            list.insert(record, at: index)
            return nil
        }

        func attempts(forTask taskID: String) -> [AttemptRecord] {
            attemptsByTask[taskID] ?? []
        }

        func attempts(forRoot rootID: String) -> [AttemptRecord] {
            (attemptsByRoot[rootID] ?? []).compactMap { key in
                attemptsByTask[key.taskID]?.first { $0.attempt == key.attempt }
            }
        }
    }
}
