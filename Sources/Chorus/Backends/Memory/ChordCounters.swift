extension MemoryBackend {
    /// The chord counters by group id, remembering where the last one found
    /// sits.
    ///
    /// Every member of a chord reports to the same group, one after another,
    /// so the id is compared with the last one found — the same string
    /// object as a rule, which compares by pointer — instead of hashed:
    /// hashing its 36 bytes was ~500 instructions of every chord member.
    /// A dictionary index stays valid until a key is added or removed, so
    /// every change that adds or removes a counter goes through this type and
    /// forgets the remembered index.
    struct ChordCounters {
        typealias Index = Dictionary<String, ChordCounter>.Index

        private var counters: [String: ChordCounter] = [:]
        /// The group id last looked up and where its counter is.
        private var recent: (groupID: String, index: Index)?

        var count: Int { counters.count }

        /// The counter of `groupID` (a copy; for reads off the hot path and tests).
        /// Setting adds, replaces or (with nil) removes it.
        subscript(groupID: String) -> ChordCounter? {
            get { counters[groupID] }
            set {
                recent = nil
                counters[groupID] = newValue
            }
        }

        /// Where the counter of `groupID` is, if there is one.
        mutating func index(forKey groupID: String) -> Index? {
            if let recent, recent.groupID == groupID { return recent.index }
            guard let index = counters.index(forKey: groupID) else { return nil }
            recent = (groupID, index)
            return index
        }

        /// The counter at `index`, read or changed in place.
        subscript(at index: Index) -> ChordCounter {
            _read { yield counters.values[index] }
            _modify { yield &counters.values[index] }
        }

        /// The group id of the counter at `index`.
        func groupID(at index: Index) -> String { counters.keys[index] }

        /// Removes the counter at `index` and returns it with its group id.
        mutating func remove(at index: Index) -> (groupID: String, counter: ChordCounter) {
            recent = nil
            let (groupID, counter) = counters.remove(at: index)
            return (groupID, counter)
        }
    }
}
