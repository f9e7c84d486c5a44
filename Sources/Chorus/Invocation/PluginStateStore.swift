import Foundation
import Synchronization

/// A small key-value store for plugins, namespaced per plugin (the host API's
/// `state_*` functions). Values are UTF-8 text. A durable implementation lives
/// with the durable backend; `MemoryPluginStateStore` keeps it in process.
///
/// Implementations are thread-safe; `increment` is atomic.
public protocol PluginStateStore: Sendable {
    func get(namespace: String, key: String) throws(ChorusError) -> String?
    func set(namespace: String, key: String, value: String) throws(ChorusError)
    /// Returns whether the key existed.
    func delete(namespace: String, key: String) throws(ChorusError) -> Bool
    /// Adds `delta` to the integer at `key` (absent counts as 0) and returns the
    /// new value. Throws `.invalidState` when the value is not an integer and
    /// `.badArguments` on overflow.
    func increment(namespace: String, key: String, by delta: Int64) throws(ChorusError) -> Int64
    /// Keys starting with `prefix`, in ascending key order, with their values.
    func list(namespace: String, prefix: String) throws(ChorusError) -> [(key: String, value: String)]
    /// Opens a transaction; its held messages go to `broker` at commit (a
    /// durable store that is also the broker enqueues them in the same
    /// database transaction). `broker` may be nil when nothing is published.
    func beginTransaction(broker: (any Broker)?) throws(ChorusError) -> StateTransaction
}

/// The in-process state store: a dictionary per namespace behind one mutex.
/// Writers — single writes and whole transactions — take `writer` first, so a
/// transaction is isolated from other writers until it ends.
public final class MemoryPluginStateStore: PluginStateStore {
    let storage = Mutex<[String: [String: String]]>([:])
    let writer = NSRecursiveLock()

    public init() {}

    public func beginTransaction(broker: (any Broker)?) throws(ChorusError) -> StateTransaction {
        writer.lock()
        return MemoryStateTransaction(store: self, broker: broker)
    }

    public func get(namespace: String, key: String) throws(ChorusError) -> String? {
        storage.withLock { $0[namespace]?[key] }
    }

    public func set(namespace: String, key: String, value: String) throws(ChorusError) {
        writer.lock()
        defer { writer.unlock() }
        storage.withLock { $0[namespace, default: [:]][key] = value }
    }

    public func delete(namespace: String, key: String) throws(ChorusError) -> Bool {
        writer.lock()
        defer { writer.unlock() }
        return storage.withLock { $0[namespace]?.removeValue(forKey: key) != nil }
    }

    public func increment(namespace: String, key: String, by delta: Int64) throws(ChorusError) -> Int64 {
        writer.lock()
        defer { writer.unlock() }
        let result: Result<Int64, ChorusError> = storage.withLock { all in
            let old = all[namespace]?[key]
            let current: Int64
            if let old {
                guard let v = Int64(old) else {
                    return .failure(ChorusError(.invalidState, "state key '\(key)' holds \"\(old.prefix(40))\", not an integer"))
                }
                current = v
            } else {
                current = 0
            }
            let (sum, overflow) = current.addingReportingOverflow(delta)
            if overflow { return .failure(ChorusError(.badArguments, "state key '\(key)': \(current) + \(delta) overflows int64")) }
            all[namespace, default: [:]][key] = String(sum)
            return .success(sum)
        }
        return try result.get()
    }

    public func list(namespace: String, prefix: String) throws(ChorusError) -> [(key: String, value: String)] {
        storage.withLock { all in
            (all[namespace] ?? [:]).filter { $0.key.hasPrefix(prefix) }.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
        }
    }
}
