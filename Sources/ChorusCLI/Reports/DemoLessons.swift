import Chorus
import Foundation

/// States what the demo observed, computed from the attempt history of each
/// report's workflow (precise start and finish times) — a run where luck
/// differs says so instead of repeating the script.
struct DemoLessons {
    let book: ReportBook
    let store: any ResultStore

    /// One report's workflow: its id and the root id its attempts are recorded under.
    struct Workflow {
        var reportID: Int64
        var rootID: String
    }

    func lessons(group: Workflow, chord: Workflow, failing: Workflow) throws(ChorusError) -> [String] {
        [try groupLesson(group), try chordLesson(chord), try failingLesson(failing)]
    }

    private static let apiSuffixes = ["_short", "_medium", "_long"]

    private func attempts(_ w: Workflow) throws(ChorusError) -> [AttemptRecord] {
        try store.attempts(forRoot: w.rootID)
    }

    private func api(_ records: [AttemptRecord]) -> [AttemptRecord] {
        records.filter { r in Self.apiSuffixes.contains { r.taskName.hasSuffix($0) } }
    }

    private func time(_ d: Date?) -> String { AttemptTable.time(d) }

    func groupLesson(_ w: Workflow) throws(ChorusError) -> String {
        let records = try attempts(w)
        let id = w.reportID
        guard let callback = records.first(where: { $0.taskName == "report_group_finished" }), let ran = callback.startedAt else {
            return "Group report \(id): its finished callback never ran — the first task (short) failed for good, and group.link is attached to the first task only."
        }
        let ends = api(records).filter { $0.state.isReady }
        guard let last = ends.max(by: { ($0.finishedAt ?? .distantPast) < ($1.finishedAt ?? .distantPast) }), let lastEnd = last.finishedAt else {
            return "Group report \(id): report_group_finished ran at \(time(ran)); its tasks have not finished."
        }
        if ran < lastEnd {
            let gap = String(format: "%.2f", lastEnd.timeIntervalSince(ran))
            return "Group report \(id): report_group_finished ran at \(time(ran)), before all its tasks had finished — \(last.taskName) ended \(gap) s later, at \(time(lastEnd)). group.link fires after the FIRST task; use a chord to wait for all three."
        }
        return "Group report \(id): report_group_finished ran at \(time(ran)); this time the other tasks happened to end first (last at \(time(lastEnd))), but group.link only waits for the FIRST task."
    }

    func chordLesson(_ w: Workflow) throws(ChorusError) -> String {
        let records = try attempts(w)
        let id = w.reportID
        let lastEnd = api(records).compactMap(\.finishedAt).max()
        if let callback = records.first(where: { $0.taskName == "report_chord_finished" && $0.state == .success }), let ran = callback.startedAt {
            let order = lastEnd.map { ran >= $0 } ?? true ? "only after all three tasks had finished" : "BEFORE its tasks had finished (unexpected)"
            return "Chord report \(id): report_chord_finished ran at \(time(ran)), \(order) (the last ended at \(time(lastEnd)))."
        }
        if records.contains(where: { $0.taskName == "report_chord_error" }) {
            return "Chord report \(id): a task failed six times (transient failures this run), so the chord ended in error instead of running its body."
        }
        return "Chord report \(id): its body has not run."
    }

    func failingLesson(_ w: Workflow) throws(ChorusError) -> String {
        let records = try attempts(w)
        let longAttempts = records.filter { $0.taskName == "report_chord_long" }.count
        let errors = records.filter { $0.taskName == "report_chord_error" && $0.state == .success }.count
        let status = try book.report(w.reportID)?.status ?? "?"
        return "Chord report \(w.reportID) (id a multiple of 5): ended \(status) after \(longAttempts) attempts of its long task (1 + max_retries 5), with \(errors) error callback\(errors == 1 ? "" : "s") and no finished callback."
    }
}
