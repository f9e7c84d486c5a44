/// A transaction on `MemoryPluginStateStore`: writes go to an overlay that
/// reads inside the transaction see; commit applies the overlay under the
/// store's lock and then publishes the held messages. The store's writer lock
/// is held from begin to the end of the transaction.
///
/// Not thread-safe: it belongs to the thread that began it.
final class MemoryStateTransaction: StateTransaction {
    private let store: MemoryPluginStateStore
    private let broker: (any Broker)?
    /// namespace → key → new value (nil = deleted).
    private var overlay: [String: [String: String?]] = [:]
    private var held: [(TaskMessage, String)] = []
    private var open = true

    init(store: MemoryPluginStateStore, broker: (any Broker)?) {
        self.store = store
        self.broker = broker
    }

    deinit { rollback() }

    private func checkOpen() throws(ChorusError) {
        guard open else { throw ChorusError(.invalidState, "the transaction is already committed or rolled back") }
    }

    func get(namespace: String, key: String) throws(ChorusError) -> String? {
        try checkOpen()
        if let pending = overlay[namespace]?[key] { return pending }
        return try store.get(namespace: namespace, key: key)
    }

    func set(namespace: String, key: String, value: String) throws(ChorusError) {
        try checkOpen()
        overlay[namespace, default: [:]][key] = .some(value)
    }

    func delete(namespace: String, key: String) throws(ChorusError) -> Bool {
        let existed = try get(namespace: namespace, key: key) != nil
        overlay[namespace, default: [:]][key] = .some(nil)
        return existed
    }

    func increment(namespace: String, key: String, by delta: Int64) throws(ChorusError) -> Int64 {
        let old = try get(namespace: namespace, key: key)
        var current: Int64 = 0
        if let old {
            guard let v = Int64(old) else {
                throw ChorusError(.invalidState, "state key '\(key)' holds \"\(old.prefix(40))\", not an integer")
            }
            current = v
        }
        let (sum, overflow) = current.addingReportingOverflow(delta)
        if overflow { throw ChorusError(.badArguments, "state key '\(key)': \(current) + \(delta) overflows int64") }
        overlay[namespace, default: [:]][key] = .some(String(sum))
        return sum
    }

    func list(namespace: String, prefix: String) throws(ChorusError) -> [(key: String, value: String)] {
        try checkOpen()
        var merged: [String: String] = [:]
        for item in try store.list(namespace: namespace, prefix: prefix) { merged[item.key] = item.value }
        for (key, value) in overlay[namespace] ?? [:] where key.hasPrefix(prefix) { merged[key] = value }
        return merged.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
    }

    func publish(_ message: TaskMessage, to queue: String) throws(ChorusError) {
        try checkOpen()
        guard broker != nil else { throw ChorusError(.invalidState, "this transaction has no broker to publish to") }
        held.append((message, queue))
    }

    func commit() throws(ChorusError) {
        try checkOpen()
        open = false
        defer { store.writer.unlock() }
        store.storage.withLock { all in
            for (namespace, changes) in overlay {
                for (key, value) in changes { all[namespace, default: [:]][key] = value }
            }
        }
        // In memory, publishing cannot fail for a lack of space; a closed broker
        // is reported after the state is applied.
        for (message, queue) in held { try broker?.publish(message, to: queue) }
    }

    func rollback() {
        guard open else { return }
        open = false
        overlay = [:]
        held = []
        store.writer.unlock()
    }
}
