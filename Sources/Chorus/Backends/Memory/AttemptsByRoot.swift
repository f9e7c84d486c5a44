import Collections

extension MemoryBackend {
    /// The attempt keys of each workflow root, remembering where the list
    /// last appended to sits.
    ///
    /// Every task of a workflow but its root is indexed under the same root
    /// id, mostly one after another (a chord's members, a group's), so the
    /// root is compared with the last one appended to — the same string
    /// object as a rule, which compares by pointer — instead of hashing its
    /// 36 bytes at every start. The remembered index is forgotten by every
    /// other change, so it is never used once a key was added or removed.
    struct AttemptsByRoot {
        typealias Lists = [String: Deque<AttemptKey>]

        private var lists: Lists = [:]
        /// The root last appended to and where its list is.
        private var recent: (root: String, index: Lists.Index)?

        var count: Int { lists.count }

        /// The list of `root`; changing it (or setting nil) forgets the remembered index.
        subscript(root: String) -> Deque<AttemptKey>? {
            get { lists[root] }
            set {
                recent = nil
                lists[root] = newValue
            }
            _modify {
                recent = nil
                yield &lists[root]
            }
        }

        /// Appends `key` to the list of `root`, creating the list if needed.
        mutating func append(_ key: AttemptKey, toRoot root: String) {
            if let recent, recent.root == root {
                lists.values[recent.index].append(key)
                return
            }
            if let index = lists.index(forKey: root) {
                lists.values[index].append(key)
                recent = (root, index)
                return
            }
            recent = nil
            lists[root] = [key]
        }
    }
}
