/// Transactional dispatch for Swift callers: change state and publish work
/// in one step, so work is never enqueued for a record that was not saved.
extension Runtime {
    /// Runs `body` in a transaction over the plugin state of `namespace`.
    /// Work applied through the transaction is enqueued only when `body`
    /// returns and the state changes commit; if `body` throws, nothing is
    /// written and nothing is enqueued.
    public func transaction<R>(namespace: String, _ body: (RuntimeTransaction) throws -> R) throws -> R {
        let tx = try state.beginTransaction(broker: broker)
        let wrapper = RuntimeTransaction(runtime: self, namespace: namespace, transaction: tx)
        do {
            let result = try body(wrapper)
            try tx.commit()
            return result
        } catch {
            tx.rollback()
            throw error
        }
    }
}

/// The handle `Runtime.transaction` passes to its body.
public struct RuntimeTransaction {
    let runtime: Runtime
    public let namespace: String
    let transaction: StateTransaction

    public func get(_ key: String) throws(ChorusError) -> String? { try transaction.get(namespace: namespace, key: key) }
    public func set(_ key: String, _ value: String) throws(ChorusError) { try transaction.set(namespace: namespace, key: key, value: value) }
    @discardableResult
    public func delete(_ key: String) throws(ChorusError) -> Bool { try transaction.delete(namespace: namespace, key: key) }
    public func increment(_ key: String, by delta: Int64 = 1) throws(ChorusError) -> Int64 {
        try transaction.increment(namespace: namespace, key: key, by: delta)
    }

    /// Prepares `canvas` now (its ids are known at once) and enqueues it when
    /// the transaction commits.
    @discardableResult
    public func apply(_ canvas: Canvas) throws(ChorusError) -> AsyncResult {
        if runtime.configuration.validateTaskNames { try runtime.validateTaskNames(in: canvas) }
        let plan = try canvas.prepare()
        try runtime.publish(plan, in: transaction)
        return AsyncResult(handle: plan.result, rootID: plan.messages.first?.options.rootId, runtime: runtime)
    }
}
