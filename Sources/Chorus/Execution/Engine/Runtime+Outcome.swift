import Foundation

/// What happens after a task ran: results stored, attempt history written,
/// callbacks and the next chain step published, errbacks run, retries
/// scheduled, chord parts counted — Celery's worker semantics.
extension Runtime {
    func started(_ run: TaskRun) {
        do {
            try store.recordStarted(run.message, queue: run.queue, startedAt: run.startedAt)
        } catch {
            PersistenceFailure.record()
            logger.error("recording attempt \(run.attempt) of \(run.id) (STARTED) failed: \(error.message)")
        }
        emit(event(.started, run))
    }

    func handle(_ outcome: InvocationOutcome, of run: TaskRun, policy makePolicy: @autoclosure () -> RetryPolicy) {
        switch outcome {
        case .success(let result):
            succeed(run, result: result)
        case .failure(let message, let retryable):
            let policy = makePolicy()
            if retryable && policy.autoretry && policy.shouldRetry(retries: run.headers.retries) {
                retry(run, countdown: nil, message: message, policy: policy)
            } else {
                fail(run, error: TaskErrorInfo(type: "TaskError", message: message))
            }
        case .retry(let countdown, let message):
            retry(run, countdown: countdown, message: message, policy: makePolicy())
        }
    }

    // MARK: - Success

    func succeed(_ run: TaskRun, result: JSON) {
        let root = run.headers.rootID
        // The result and the attempt are stored before any follow-up is
        // published, so whoever waits on a later step sees a complete history.
        // (Celery publishes callbacks first only to list them as `children`.)
        // The attempt with the meta: storing the meta wakes waiters, who may read the history at once.
        // `dateDone` set here: a store filling it in would copy the meta.
        let now = configuration.clock.now
        record(run, state: .success, finishedAt: now, meta: ResultMeta(
            taskID: run.id, state: .success, result: result, dateDone: now, retries: run.headers.retries,
            groupID: run.headers.group, parentID: run.headers.parentID, name: run.name, queue: run.queue))
        emit(event(.succeeded, run, result: result))
        if let callbacks = run.message.embed.callbacks, !callbacks.isEmpty {
            do {
                let signatures = try callbacks.enumerated().map { (i, c) throws(ChorusError) in try Signature(json: c, path: "link[\(i)]") }
                for canvas in try Canvas.bundlingCallbacks(signatures) {
                    try publishFollowUp(canvas, partialArgs: [result], parentID: run.id, rootID: root)
                }
            } catch {
                logger.error("\(run.name)[\(run.id)]: could not publish its link callbacks: \(error.message)")
            }
        }
        if var chain = run.message.embed.chain, let next = chain.popLast() {
            do {
                try publishFollowUp(Canvas(json: next, path: "chain"), partialArgs: [result], parentID: run.id, rootID: root, chain: chain)
            } catch {
                logger.error("\(run.name)[\(run.id)]: could not publish the next chain step: \(error.message)")
                for step in [next] + chain.reversed() { failUnrun(step, error: TaskErrorInfo(type: "ChainError", message: error.message)) }
            }
        }
        reportChordPart(of: run, state: .success, result: result)
    }

    // MARK: - Failure

    func fail(_ run: TaskRun, error: TaskErrorInfo) {
        // The attempt is recorded with the result, so whoever the result wakes sees it.
        let now = configuration.clock.now
        record(run, state: .failure, finishedAt: now, error: error, meta: ResultMeta(
            taskID: run.id, state: .failure, error: error, dateDone: now, retries: run.headers.retries,
            groupID: run.headers.group, parentID: run.headers.parentID, name: run.name, queue: run.queue))
        emit(event(.failed, run, error: error.message))
        for (i, errback) in (run.message.embed.errbacks ?? []).enumerated() {
            runErrback(errback, path: "link_error[\(i)]", failedTaskID: run.id, error: error, rootID: run.headers.rootID)
        }
        // The embed lists the remaining steps reversed; record them in run order.
        for step in (run.message.embed.chain ?? []).reversed() { failUnrun(step, error: error) }
        reportChordPart(of: run, state: .failure, result: error.celeryJSON)
    }

    /// Publishes an errback (`link_error`) for a failed task. What it receives:
    ///
    /// - a mutable task errback gets the failed task's id prepended (Celery's
    ///   old-style errback, `(failed_task_id,)`);
    /// - it also gets the error message, as a second argument, when its task is
    ///   registered here and declares at least two parameters not filled by its
    ///   stored args, e.g. `void (string task_id, string error)` — Chorus's
    ///   stand-in for Celery's new-style `(request, exc, traceback)` errback.
    ///   `(string task_id, string label)` called as `eb("nightly")` has one free
    ///   parameter, so it gets `[task_id, "nightly"]`;
    /// - an immutable errback (`si:`) gets nothing but its own args;
    /// - a composite errback (chain, group, chord) gets the id only.
    ///
    /// For a chord whose header failed, the "failed task" is the chord's body:
    /// its errbacks get the body's id and the ChordError message
    /// (`Dependency <header task id> raised TaskError('...')`).
    /// Errbacks run once per FAILURE: never for RETRY or REVOKED. Unlike
    /// Celery's new-style errbacks they are published, never run inline.
    func runErrback(_ json: JSON, path: String, failedTaskID: String, error: TaskErrorInfo, rootID: String?) {
        do {
            let canvas = try Canvas(json: json, path: path)
            var partial: [JSON] = []
            if case .task(let s) = canvas, !s.immutable {
                partial = [.string(failedTaskID)]
                if let task = try? registry.task(named: s.task), task.signature.parameters.count - s.args.count >= 2 {
                    partial.append(.string(error.message))
                }
            } else if case .task = canvas {
                partial = []
            } else {
                partial = [.string(failedTaskID)]
            }
            try publishFollowUp(canvas, partialArgs: partial, parentID: failedTaskID, rootID: rootID)
        } catch {
            logger.error("could not publish errback \(path) of \(failedTaskID): \(error.message)")
        }
    }

    /// Records every task of a step that will never run (a later chain step
    /// after a failure) as FAILURE with the same error, counting chord parts
    /// so no chord waits for it forever. A chord step fails into its body.
    func failUnrun(_ json: JSON, error: TaskErrorInfo) {
        guard let canvas = try? Canvas(json: json, path: "chain") else { return }
        failUnrun(canvas, error: error)
    }

    func failUnrun(_ canvas: Canvas, error: TaskErrorInfo) {
        switch canvas {
        case .task(let s):
            guard let id = s.options.taskId else { return }
            recordUnrun(s, state: .failure, error: error)
            storeMeta(ResultMeta(taskID: id, state: .failure, error: error, groupID: s.options.groupId, parentID: s.options.parentId, name: s.task))
            emit(TaskEvent(kind: .failed, taskID: id, taskName: s.task, attempt: 1, rootID: s.options.rootId, parentID: s.options.parentId, groupID: s.options.groupId, time: configuration.clock.now, error: error.message))
            if let groupID = s.options.groupId, s.options.chord != nil {
                countChordPart(ChordPart(taskID: id, groupIndex: s.options.groupIndex ?? 0, state: .failure, result: error.celeryJSON), groupID: groupID, body: s.options.chord!, parentID: id, rootID: s.options.rootId)
            }
            // A step may be a group or chord: fail it by its kind, not as a plain task.
            for step in s.options.chain.reversed() { failUnrun(step.json, error: error) }
        case .chain(let c):
            for step in c.tasks { failUnrun(step, error: error) }
        case .group(let g):
            for member in g.tasks { failUnrun(member, error: error) }
        case .chord(let c):
            for member in c.header.tasks { failUnrun(member, error: error) }
            failChordBody(c.body, error: error, rootID: c.options.rootId)
        }
    }

    // MARK: - Retry

    func retry(_ run: TaskRun, countdown: Double?, message: String?, policy: RetryPolicy) {
        let retries = run.headers.retries
        guard policy.shouldRetry(retries: retries) else {
            let reason = message ?? "MaxRetriesExceededError: can't retry \(run.name)[\(run.id)]: max_retries \(policy.maxRetries ?? 0) reached"
            fail(run, error: TaskErrorInfo(type: message == nil ? "MaxRetriesExceededError" : "TaskError", message: reason))
            return
        }
        let delay = policy.countdown(forRetries: retries, explicit: countdown, random: configuration.random)
        let now = configuration.clock.now
        var next = run.message
        next.headers.retries = retries + 1
        next.headers.eta = now.addingTimeInterval(delay)
        next.headers.parentID = run.id
        // RETRY is stored and reported BEFORE the next attempt is published: with a
        // zero countdown another executor may claim and finish it at once, and a
        // late RETRY would then overwrite its STARTED/FAILURE meta and be reported
        // after its events. If publishing fails, `fail` replaces meta and record.
        let reason = message ?? "retry requested"
        let info = TaskErrorInfo(type: "Retry", message: reason)
        record(run, state: .retry, finishedAt: now, error: info, nextCountdown: delay, meta: ResultMeta(
            taskID: run.id, state: .retry, error: info, retries: retries, groupID: run.headers.group,
            parentID: run.headers.parentID, name: run.name, queue: run.queue))
        emit(event(.retried, run, error: reason, countdown: delay))
        do {
            try broker.publish(next, to: run.queue)
        } catch {
            fail(run, error: TaskErrorInfo(type: "RetryError", message: "could not publish the retry: \(error.message)"))
        }
    }

    // MARK: - Revoked

    func revoke(_ run: TaskRun, reason: String) {
        let info = TaskErrorInfo(type: "TaskRevokedError", message: reason, module: "celery.exceptions")
        let now = configuration.clock.now
        record(run, state: .revoked, finishedAt: now, error: info, meta: ResultMeta(
            taskID: run.id, state: .revoked, error: info, dateDone: now, retries: run.headers.retries,
            groupID: run.headers.group, parentID: run.headers.parentID, name: run.name, queue: run.queue))
        emit(event(.revoked, run, error: reason))
        // Later chain steps cannot run without this result; record them so no one waits forever.
        for step in (run.message.embed.chain ?? []).reversed() { failUnrun(step, error: info) }
        reportChordPart(of: run, state: .revoked, result: info.celeryJSON)
    }

    // MARK: - Records

    func storeMeta(_ meta: ResultMeta) {
        do {
            try store.store(meta)
        } catch {
            PersistenceFailure.record()
            logger.error("storing the \(meta.state.rawValue) result of \(meta.taskID) failed: \(error.message)")
        }
    }

    /// Records the run's attempt and stores its meta as one update (the
    /// store's `record(_:storing:)`); a failure is logged and remembered for
    /// the executor (see `PersistenceFailure`).
    func record(
        _ run: TaskRun, state: TaskState, startedAt: Date? = nil, finishedAt: Date? = nil, error: TaskErrorInfo? = nil,
        nextCountdown: Double? = nil, meta: ResultMeta
    ) {
        let record = AttemptRecord(
            taskID: run.id, taskName: run.name, rootID: run.headers.rootID, parentID: run.headers.parentID,
            groupID: run.headers.group, attempt: run.attempt, state: state, startedAt: startedAt ?? run.startedAt,
            finishedAt: finishedAt, errorType: error?.type, errorMessage: error?.message, nextCountdown: nextCountdown)
        do {
            try store.record(record, storing: meta)
        } catch {
            PersistenceFailure.record()
            logger.error("recording attempt \(run.attempt) of \(run.id) (\(meta.state.rawValue)) failed: \(error.message)")
        }
    }

    func recordUnrun(_ s: Signature, state: TaskState, error: TaskErrorInfo) {
        guard let id = s.options.taskId else { return }
        let record = AttemptRecord(
            taskID: id, taskName: s.task, rootID: s.options.rootId, parentID: s.options.parentId, groupID: s.options.groupId,
            attempt: 1, state: state, finishedAt: configuration.clock.now, errorType: error.type, errorMessage: error.message)
        try? store.recordAttempt(record)
    }

    func event(_ kind: TaskEvent.Kind, _ run: TaskRun, result: JSON? = nil, error: String? = nil, countdown: Double? = nil) -> TaskEvent {
        TaskEvent(
            kind: kind, taskID: run.id, taskName: run.name, attempt: run.attempt, rootID: run.headers.rootID,
            parentID: run.headers.parentID, groupID: run.headers.group, time: configuration.clock.now, result: result,
            error: error, countdown: countdown)
    }
}
