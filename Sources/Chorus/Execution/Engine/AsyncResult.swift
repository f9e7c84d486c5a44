import Foundation

/// A handle on work that was applied, like Celery's AsyncResult/GroupResult:
/// a task's id (for a chain, its last task; for a chord, its body) or a
/// group's id with its members in order.
public struct AsyncResult: Sendable {
    public let handle: ResultHandle
    /// The workflow's root task id: what `attempts(forRoot:)` is queried with.
    public let rootID: String?
    let runtime: Runtime

    init(handle: ResultHandle, rootID: String? = nil, runtime: Runtime) {
        self.handle = handle
        self.rootID = rootID
        self.runtime = runtime
    }

    /// Every attempt of every task in this workflow, in the order recorded.
    public func attempts() throws(ChorusError) -> [AttemptRecord] {
        try runtime.store.attempts(forRoot: rootID ?? id)
    }

    /// The task id or group id.
    public var id: String { handle.id }

    /// Member handles of a group, in member order; empty for a task.
    public var members: [AsyncResult] {
        guard case .group(_, let members) = handle else { return [] }
        return members.map { AsyncResult(handle: $0, rootID: rootID, runtime: runtime) }
    }

    /// The stored meta of a task handle (nil while PENDING or for a group).
    public var meta: ResultMeta? {
        guard case .task(let id) = handle else { return nil }
        return try? runtime.store.result(for: id)
    }

    /// The current state. A group is SUCCESS when every member succeeded,
    /// FAILURE or REVOKED as soon as one member is, STARTED while any member
    /// ran, else PENDING.
    public var state: TaskState {
        switch handle {
        case .task:
            return meta?.state ?? .pending
        case .group:
            let states = members.map(\.state)
            if states.allSatisfy({ $0 == .success }) { return .success }
            if states.contains(.failure) { return .failure }
            if states.contains(.revoked) { return .revoked }
            if states.contains(where: { $0 != .pending }) { return .started }
            return .pending
        }
    }

    /// Blocks until the work is done and returns its result: a task's value,
    /// or a group's member results in member order.
    ///
    /// Throws `.taskFailed` with the task's error when it (or, for a group,
    /// the first member in order) failed, `.revoked` when it expired or was
    /// revoked, `.timeout` when `timeout` seconds (real time) passed first.
    public func wait(timeout: Double? = nil) throws(ChorusError) -> JSON {
        // A task on the system clock: the store measures the timeout itself
        // (reading the clock for a deadline here cost two reads per wait).
        if case .task(let id) = handle, runtime.configuration.clock is SystemClock {
            return try waitForTask(id, timeout: timeout ?? Self.forever)
        }
        return try wait(until: timeout.map { Date().addingTimeInterval($0) })
    }

    /// `wait` without blocking the caller's task: the wait runs on its own
    /// thread. Throws the same typed errors as `wait`.
    public func get(timeout: Double? = nil) async throws(ChorusError) -> JSON {
        let outcome: Result<JSON, ChorusError> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Result { () throws(ChorusError) in try self.wait(timeout: timeout) })
            }
        }
        return try outcome.get()
    }

    private func wait(until deadline: Date?) throws(ChorusError) -> JSON {
        switch handle {
        case .task(let id):
            guard runtime.configuration.clock is SystemClock else { return try poll(id, until: deadline) }
            return try waitForTask(id, timeout: deadline.map { max(0, $0.timeIntervalSinceNow) } ?? Self.forever)
        case .group:
            return .array(try Self.wait(for: members, until: deadline))
        }
    }

    /// The timeout of a wait without one: a year.
    private static let forever: Double = 365 * 86_400

    /// Blocks in the store until task `id` is ready, for at most `timeout` seconds.
    private func waitForTask(_ id: String, timeout: Double) throws(ChorusError) -> JSON {
        guard let meta = try runtime.store.waitForReadyResult(for: id, timeout: timeout) else {
            let state = (try? runtime.store.result(for: id))?.state ?? .pending
            throw ChorusError(.timeout, "task \(id) did not finish in time (state \(state.rawValue))")
        }
        return try Self.value(of: meta)
    }

    /// Waits for `results` in order, like Celery's `ResultSet.join`: returns
    /// their values in the same order, or throws for the first (in order)
    /// that failed, was revoked or did not finish by `timeout` seconds (real
    /// time). All must come from one runtime. Cheaper than waiting for each:
    /// once a task is ready, the ones after it that are ready too are read in
    /// one go (one SQLite transaction for up to 256), not one by one.
    public static func waitAll(_ results: [AsyncResult], timeout: Double? = nil) throws(ChorusError) -> [JSON] {
        try wait(for: results, until: timeout.map { Date().addingTimeInterval($0) })
    }

    private static func wait(for results: [AsyncResult], until deadline: Date?) throws(ChorusError) -> [JSON] {
        var values: [JSON] = []
        values.reserveCapacity(results.count)
        var ready: [String: ResultMeta] = [:]
        // How many ids the next read looks at: as many as were found ready
        // lately, doubled; an id not ready yet costs a lookup for nothing.
        var window = Self.minimumWindow
        for (i, result) in results.enumerated() {
            guard case .task(let id) = result.handle, result.runtime.configuration.clock is SystemClock else {
                values.append(try result.wait(until: deadline))
                continue
            }
            if let meta = ready.removeValue(forKey: id) {
                values.append(try value(of: meta))
                continue
            }
            values.append(try result.wait(until: deadline))
            // Those after it that are ready already: one read, not one each.
            var next: [String] = []
            for later in results[(i + 1)...] {
                if next.count == window { break }  // a `where` clause would walk the rest: O(n²) for a wide group
                if case .task(let laterID) = later.handle, later.runtime === result.runtime, ready[laterID] == nil { next.append(laterID) }
            }
            guard !next.isEmpty else { continue }
            let found = try result.runtime.store.readyResults(for: next)
            ready.merge(found) { $1 }
            window = found.count * 2 >= window ? min(window * 2, Self.maximumWindow) : max(window / 2, Self.minimumWindow)
            // Few ready yet while many wait: the tasks finish about as fast as
            // they are waited for. Pause, so the next wake-up covers several:
            // waking for each cost the waiter as much CPU as the workers spent
            // running them. Adds at most `coalescePause` to the whole wait.
            if found.count < Self.coalesceBelow && next.count >= Self.coalesceBelow { usleep(Self.coalescePause) }
        }
        return values
    }

    /// Bounds of the read-ahead window (ids per read after a wake-up).
    static let minimumWindow = 16
    static let maximumWindow = 256
    /// Fewer ready ones than this after a wake-up (with at least this many
    /// waiting) and `wait(for:until:)` pauses `coalescePause` microseconds.
    static let coalesceBelow = 8
    static let coalescePause: UInt32 = 1_000

    /// `wait` on a runtime with a test clock (e.g. `ManualClock`). The store
    /// measures `waitForReadyResult`'s timeout on its clock, which only moves
    /// when the test advances it, so a real-time `timeout` would never fire
    /// there; poll the stored meta against the real-time deadline instead.
    private func poll(_ id: String, until deadline: Date?) throws(ChorusError) -> JSON {
        while true {
            if let meta = try runtime.store.result(for: id), meta.state.isReady { return try Self.value(of: meta) }
            if let deadline, Date() >= deadline {
                let state = (try? runtime.store.result(for: id))?.state ?? .pending
                throw ChorusError(.timeout, "task \(id) did not finish in time (state \(state.rawValue))")
            }
            usleep(1_000)
        }
    }

    static func value(of meta: ResultMeta) throws(ChorusError) -> JSON {
        switch meta.state {
        case .success:
            return meta.result
        case .revoked:
            throw ChorusError(.revoked, "\(meta.name ?? "task") \(meta.taskID) was revoked: \(meta.error?.message ?? "revoked")")
        default:
            let error = meta.error.map { "\($0.type): \($0.message)" } ?? "failed"
            throw ChorusError(.taskFailed, "\(meta.name ?? "task") \(meta.taskID) failed: \(error)")
        }
    }
}
