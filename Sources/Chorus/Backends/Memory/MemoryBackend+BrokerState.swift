import Collections
import Foundation

extension MemoryBackend {
    /// A message waiting on a queue, with its delivery history.
    struct Queued {
        var message: TaskMessage
        var queue: String
        /// How many times it has been handed out so far.
        var deliveries: Int
        var redelivered: Bool
    }

    struct DelayedEntry: Comparable {
        let due: MonotonicInstant
        let sequence: UInt64
        static func < (a: Self, b: Self) -> Bool { (a.due, a.sequence) < (b.due, b.sequence) }
    }

    struct LeaseEntry: Comparable {
        let deadline: MonotonicInstant
        let sequence: UInt64
        /// The `inFlight` entry it times.
        let tag: CountedKey
        static func < (a: Self, b: Self) -> Bool { (a.deadline, a.sequence) < (b.deadline, b.sequence) }
    }

    /// Everything the broker side holds. Pure data; `MemoryBackend` does the locking.
    struct BrokerState {
        var ready = ReadyQueues()
        var delayed = Heap<DelayedEntry>()
        var delayedMessages: [CountedKey: Queued] = [:]
        /// Leased messages by delivery tag number (see `tagKey`), with
        /// their current lease deadline.
        var inFlight: [CountedKey: (queued: Queued, deadline: MonotonicInstant)] = [:]
        /// Lease deadlines; entries whose tag is settled or whose deadline moved are stale.
        var leases = Heap<LeaseEntry>()
        var sequence: UInt64 = 0
        var closed = false

        mutating func nextSequence() -> UInt64 {
            sequence += 1
            return sequence
        }

        /// The key of the number a delivery of this broker is tagged with; nil
        /// for a tag this broker never handed out (it then settles nothing).
        static func tagKey(_ delivery: Delivery) -> CountedKey? {
            switch delivery.key {
            case .number(let number): return CountedKey(number)
            case .text(let text):
                // The same tag spelled out (`Delivery.tag`), e.g. rebuilt by a caller.
                guard text.hasPrefix("d") else { return nil }
                return UInt64(text.dropFirst()).map(CountedKey.init)
            }
        }

        mutating func enqueue(_ queued: Queued, due: MonotonicInstant?, now: MonotonicInstant) {
            if let due, due > now {
                let seq = nextSequence()
                delayed.insert(DelayedEntry(due: due, sequence: seq))
                delayedMessages[CountedKey(seq)] = queued
            } else {
                append(queued)
            }
        }

        /// Adds a message at the back of its queue.
        mutating func append(_ queued: Queued) { ready.append(queued) }

        /// Puts a message back at the front of its queue.
        mutating func prepend(_ queued: Queued) { ready.prepend(queued) }

        /// Makes due eta messages visible (in due order) and returns lapsed
        /// leases to the front of their queues (earliest lapse first).
        mutating func promote(now: MonotonicInstant) {
            while let first = delayed.min, first.due <= now {
                delayed.removeMin()
                if let queued = delayedMessages.removeValue(forKey: CountedKey(first.sequence)) {
                    append(queued)
                }
            }
            var lapsed: [Queued] = []
            while let first = leases.min, first.deadline <= now {
                leases.removeMin()
                guard let held = inFlight[first.tag], held.deadline == first.deadline else { continue }
                inFlight[first.tag] = nil
                var queued = held.queued
                queued.redelivered = true
                lapsed.append(queued)
            }
            for queued in lapsed.reversed() {
                prepend(queued)
            }
        }

        /// The first message of the first non-empty queue in `queues`.
        mutating func popFirst(of queues: [String]) -> Queued? {
            for name in queues {
                if let queued = ready.popFirst(of: name) { return queued }
            }
            return nil
        }

        /// Drops settled and superseded lease entries once they outnumber the
        /// live leases: an entry is only removed from the heap when its deadline
        /// passes, so at tens of thousands of tasks a second with a 60 s lease
        /// the heap held millions of dead entries. Rebuilding is O(live) and
        /// happens at most once per that many settles.
        mutating func compactLeasesIfMostlyStale() {
            guard leases.count > 2 * inFlight.count + 1_024 else { return }
            // Keep each live lease's current entry, with its sequence: equal
            // deadlines still lapse in the order the leases were taken.
            leases = Heap(leases.unordered.filter { entry in inFlight[entry.tag]?.deadline == entry.deadline })
        }

        /// The earliest instant at which something may become claimable.
        var nextChange: MonotonicInstant {
            min(delayed.min?.due ?? .distantFuture, leases.min?.deadline ?? .distantFuture)
        }
    }
}
