import OrderedCollections

/// Running one task directly, in the calling thread, with this runtime's
/// services: its state store, transactions and dispatch (work it dispatches
/// goes to this runtime's broker). No queue, no retries: the caller gets the
/// outcome of the one attempt.
extension Runtime {
    /// Runs `name` once now. Throws `.unknownTask` or `.badArguments` before
    /// calling; every other result is the returned outcome. `taskID` becomes
    /// the root id of any work the task dispatches.
    public func call(
        _ name: String, args: [JSON] = [], kwargs: OrderedDictionary<String, JSON> = [:], taskID: String? = nil
    ) throws(ChorusError) -> InvocationOutcome {
        let task = try registry.task(named: name)
        var ids = RandomTaskIDs()
        let id = taskID ?? ids.next()
        let request = InvocationRequest(taskID: id, timeScale: configuration.timeScale, rootID: id)
        return try Invoker.invoke(task, args: args, kwargs: kwargs, request: request, services: services)
    }
}
