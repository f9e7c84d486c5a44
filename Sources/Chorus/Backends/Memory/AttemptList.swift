extension MemoryBackend {
    /// A task's attempt records in attempt order, the first one held inline.
    ///
    /// Most tasks run once: as an array, that one record cost an allocation
    /// (and its free when the record expired) per task, and a generic insert
    /// on every end of an attempt. Invariant: `tail` is empty while `head` is nil.
    struct AttemptList: RandomAccessCollection, MutableCollection {
        private var head: StoredAttempt?
        private var tail: [StoredAttempt] = []

        init() {}

        var startIndex: Int { 0 }
        var endIndex: Int { head == nil ? 0 : 1 + tail.count }

        subscript(position: Int) -> StoredAttempt {
            get { position == 0 ? head! : tail[position - 1] }
            set {
                if position == 0 {
                    precondition(head != nil, "AttemptList index out of range")
                    head = newValue
                } else {
                    tail[position - 1] = newValue
                }
            }
        }

        mutating func insert(_ attempt: StoredAttempt, at position: Int) {
            guard let first = head else {
                precondition(position == 0, "AttemptList index out of range")
                head = attempt
                return
            }
            if position == 0 {
                tail.insert(first, at: 0)
                head = attempt
            } else {
                tail.insert(attempt, at: position - 1)
            }
        }

        mutating func append(_ attempt: StoredAttempt) { insert(attempt, at: endIndex) }

        @discardableResult
        mutating func remove(at position: Int) -> StoredAttempt {
            guard position == 0 else { return tail.remove(at: position - 1) }
            let first = head!
            head = tail.isEmpty ? nil : tail.removeFirst()
            return first
        }
    }
}
