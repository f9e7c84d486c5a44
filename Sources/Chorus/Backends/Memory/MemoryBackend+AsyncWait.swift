extension MemoryBackend {
    /// Suspends until the task's meta is READY and returns it, without
    /// blocking a thread or polling: `store` resumes the waiter. Throws
    /// `CancellationError` when the calling task is cancelled, which is how
    /// callers put a timeout on it.
    public func readyResult(for taskID: String) async throws -> ResultMeta {
        let waiterID = withResultState { state -> UInt64 in
            state.nextWaiterID += 1
            state.activeWaiters.insert(state.nextWaiterID)
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ResultMeta, any Error>) in
                withResultState { state in
                    if state.cancelledWaiters.remove(waiterID) != nil {
                        state.activeWaiters.remove(waiterID)
                        continuation.resume(throwing: CancellationError())
                    } else if let meta = state.meta(for: taskID), meta.state.isReady {
                        state.activeWaiters.remove(waiterID)
                        continuation.resume(returning: meta)
                    } else {
                        state.asyncWaiters[taskID, default: [:]][waiterID] = continuation
                    }
                }
            }
        } onCancel: {
            withResultState { state in
                if let waiter = state.asyncWaiters[taskID]?.removeValue(forKey: waiterID) {
                    state.activeWaiters.remove(waiterID)
                    if state.asyncWaiters[taskID]?.isEmpty == true { state.asyncWaiters[taskID] = nil }
                    waiter.resume(throwing: CancellationError())
                } else if state.activeWaiters.contains(waiterID) {
                    state.cancelledWaiters.insert(waiterID)  // not suspended yet: the body sees this
                }
            }
        }
    }

    private func withResultState<R>(_ body: (inout ResultState) -> R) -> R {
        resultCondition.lock()
        defer { resultCondition.unlock() }
        return body(&resultState)
    }
}
