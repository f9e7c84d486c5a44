import Chorus

/// States what the demo's task logs show, computed from the logs themselves
/// (a run where luck differs says so instead of repeating the script).
struct DemoLessons {
    let book: ReportBook

    func lessons(group: Int64, chord: Int64, failing: Int64) throws(ChorusError) -> [String] {
        [try groupLesson(group), try chordLesson(chord), try failingLesson(failing)]
    }

    private func apiRows(_ rows: [ReportBook.LogRow]) -> [ReportBook.LogRow] {
        rows.filter { !$0.task.hasSuffix("_finished") && !$0.task.hasSuffix("_error") }
    }

    private func lastFinish(_ rows: [ReportBook.LogRow]) -> String? {
        apiRows(rows).compactMap(\.finished).max()
    }

    func groupLesson(_ id: Int64) throws(ChorusError) -> String {
        let rows = try book.log(of: id)
        guard let callback = rows.first(where: { $0.task == "report_group_finished" }) else {
            return "Group report \(id): its finished callback never ran — the first task (short) failed for good, and group.link is attached to the first task only."
        }
        let unfinished = apiRows(rows).filter { $0.created <= callback.created && ($0.finished ?? "~") > callback.created }
        let last = lastFinish(rows) ?? "?"
        if let pending = unfinished.first {
            return "Group report \(id): report_group_finished ran at \(callback.created), before all its tasks had finished (\(pending.task) was still running; the last task finished at \(last)). group.link fires after the FIRST task — use a chord to wait for all."
        }
        return "Group report \(id): report_group_finished ran at \(callback.created); this time the other tasks happened to end first (last at \(last)), but group.link only waits for the FIRST task."
    }

    func chordLesson(_ id: Int64) throws(ChorusError) -> String {
        let rows = try book.log(of: id)
        let last = lastFinish(rows) ?? "?"
        if let callback = rows.first(where: { $0.task == "report_chord_finished" }) {
            let order = callback.created >= last ? "only after all three tasks had finished" : "BEFORE its tasks had finished (unexpected)"
            return "Chord report \(id): report_chord_finished ran at \(callback.created), \(order) (last at \(last))."
        }
        if rows.contains(where: { $0.task == "report_chord_error" }) {
            return "Chord report \(id): a task failed six times (transient failures this run), so the chord ended in error instead of running its body."
        }
        return "Chord report \(id): its body has not run."
    }

    func failingLesson(_ id: Int64) throws(ChorusError) -> String {
        let rows = try book.log(of: id)
        let longAttempts = rows.filter { $0.task == "report_chord_long" }.count
        let errors = rows.filter { $0.task == "report_chord_error" }.count
        let status = try book.report(id)?.status ?? "?"
        return "Chord report \(id) (id a multiple of 5): ended \(status) after \(longAttempts) attempts of its long task (1 + max_retries 5), with \(errors) error callback\(errors == 1 ? "" : "s") and no finished callback."
    }
}
