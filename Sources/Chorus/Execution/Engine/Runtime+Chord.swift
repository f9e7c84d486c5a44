import Foundation

/// Chord fan-in: every header member reports its final state once; the
/// member whose report completes the count runs the body — or, when a member
/// failed, fails the body with a ChordError and runs its errbacks, exactly once.
extension Runtime {
    func reportChordPart(of run: TaskRun, state: TaskState, result: JSON) {
        guard let body = run.chordBody, let groupID = run.headers.group else { return }
        let part = ChordPart(taskID: run.id, groupIndex: run.headers.groupIndex ?? 0, state: state, result: result)
        countChordPart(part, groupID: groupID, body: body, parentID: run.id, rootID: run.headers.rootID)
    }

    func countChordPart(_ part: ChordPart, groupID: String, body: JSON, parentID: String?, rootID: String?) {
        do {
            guard let parts = try store.recordChordPart(part, forGroup: groupID).completedParts else { return }
            try completeChord(parts: parts, body: try Signature(json: body, path: "chord"), parentID: parentID, rootID: rootID)
        } catch {
            logger.error("chord \(groupID): counting part \(part.taskID) failed: \(error.message)")
        }
    }

    func countChordPart(_ part: ChordPart, groupID: String, body: Signature, parentID: String?, rootID: String?) {
        countChordPart(part, groupID: groupID, body: body.json, parentID: parentID, rootID: rootID)
    }

    /// Runs the body with the header results in header order, or fails it.
    func completeChord(parts: [ChordPart], body: Signature, parentID: String?, rootID: String?) throws(ChorusError) {
        let canvas = try Canvas(signature: body, path: "chord")
        if let failed = parts.first(where: { $0.state != .success }) {
            let cause = Self.describe(failed.result)
            let error = TaskErrorInfo(type: "ChordError", message: "Dependency \(failed.taskID) raised \(cause)", module: "celery.exceptions")
            failChordBody(canvas, error: error, rootID: rootID)
            return
        }
        try publishFollowUp(canvas, partialArgs: [.array(parts.map(\.result))], parentID: parentID, rootID: rootID)
    }

    /// A chord body that will never run: recorded FAILURE with `error`, its
    /// errbacks run once with the body's id, and its own chain failed.
    func failChordBody(_ body: Canvas, error: TaskErrorInfo, rootID: String?) {
        switch body {
        case .task(let s):
            guard let id = s.options.taskId else { return }
            recordUnrun(s, state: .failure, error: error)
            storeMeta(ResultMeta(taskID: id, state: .failure, error: error, groupID: s.options.groupId, parentID: s.options.parentId, name: s.task))
            emit(TaskEvent(kind: .failed, taskID: id, taskName: s.task, attempt: 1, rootID: rootID, parentID: s.options.parentId, groupID: s.options.groupId, time: configuration.clock.now, error: error.message))
            for (i, errback) in s.options.linkError.enumerated() {
                runErrback(errback.json, path: "chord.link_error[\(i)]", failedTaskID: id, error: error, rootID: rootID)
            }
            // A step may be a group or chord: fail it by its kind, not as a plain task.
            for step in s.options.chain.reversed() { failUnrun(step.json, error: error) }
            if let groupID = s.options.groupId, let outer = s.options.chord {
                countChordPart(ChordPart(taskID: id, groupIndex: s.options.groupIndex ?? 0, state: .failure, result: error.celeryJSON), groupID: groupID, body: outer, parentID: id, rootID: rootID)
            }
        case .group(let g):
            for member in g.tasks { failChordBody(member, error: error, rootID: rootID) }
        case .chain(let c):
            if let first = c.tasks.first { failChordBody(first, error: error, rootID: rootID) }
            for step in c.tasks.dropFirst() { failUnrun(step, error: error) }
        case .chord(let c):
            for member in c.header.tasks { failUnrun(member, error: error) }
            failChordBody(c.body, error: error, rootID: rootID)
        }
    }

    /// Celery's repr of a stored exception: `TaskError('boom')`.
    static func describe(_ result: JSON) -> String {
        guard let type = result["exc_type"]?.stringValue else { return result.serialized() }
        let message = result["exc_message"]?.arrayValue?.first?.stringValue ?? ""
        return "\(type)('\(message)')"
    }
}
