import Collections

extension MemoryBackend {
    /// The messages ready to be claimed, one queue per queue name.
    ///
    /// A runtime uses a handful of queues, so a queue is found by comparing
    /// names (a name of up to 15 bytes compares as two words) rather than by
    /// hashing: as a `[String: Deque]`, every message queued and every
    /// message taken hashed its queue's name (~320 instructions). Past
    /// `linearLimit` queues the slot is looked up by hash again.
    struct ReadyQueues {
        private var names: [String] = []
        private var queues: [Deque<Queued>] = []
        /// Slot of each name, for lookups past `linearLimit` names.
        private var slots: [String: Int] = [:]

        /// Up to this many queues, a lookup compares names in order.
        static let linearLimit = 16

        private func slot(_ name: String) -> Int? {
            guard names.count <= Self.linearLimit else { return slots[name] }
            return names.withUnsafeBufferPointer { names in
                for i in names.indices where names[i] == name { return i }
                return nil
            }
        }

        private mutating func newSlot(_ name: String) -> Int {
            names.append(name)
            queues.append([])
            slots[name] = names.count - 1
            return names.count - 1
        }

        /// The ready messages of `queue`; nil for a queue never used.
        subscript(queue: String) -> Deque<Queued>? { slot(queue).map { queues[$0] } }

        /// Adds a message at the back of its queue.
        mutating func append(_ queued: Queued) {
            let i = slot(queued.queue) ?? newSlot(queued.queue)
            queues[i].append(queued)
        }

        /// Puts a message back at the front of its queue.
        mutating func prepend(_ queued: Queued) {
            let i = slot(queued.queue) ?? newSlot(queued.queue)
            queues[i].prepend(queued)
        }

        /// Takes the first message of `queue`, if any.
        mutating func popFirst(of queue: String) -> Queued? {
            guard let i = slot(queue) else { return nil }
            return queues[i].popFirst()
        }
    }
}
