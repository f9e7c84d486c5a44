import Chorus
import Foundation

/// Renders attempt history as the table `chorus apply` ends with: task,
/// id, attempt, state, started, finished, error.
enum AttemptTable {
    static func render(_ records: [AttemptRecord]) -> String {
        let header = ["task", "id", "attempt", "state", "started", "finished", "error"]
        let rows = records.map { r in
            [r.taskName, short(r.taskID), String(r.attempt), r.state.rawValue, time(r.startedAt), time(r.finishedAt),
             clip(errorText(r), 70)]
        }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    static func errorText(_ r: AttemptRecord) -> String {
        var text = r.errorMessage ?? ""
        if r.state == .retry, let c = r.nextCountdown { text = "retry in \(seconds(c)): " + text }
        return text
    }

    static func json(_ records: [AttemptRecord]) -> JSON {
        .array(records.map { r in
            [
                "task": .string(r.taskName), "id": .string(r.taskID), "root_id": r.rootID.map(JSON.string) ?? .null,
                "parent_id": r.parentID.map(JSON.string) ?? .null, "group_id": r.groupID.map(JSON.string) ?? .null,
                "attempt": .int(Int64(r.attempt)), "state": .string(r.state.rawValue),
                "started": r.startedAt.map { .string(CeleryDate.format($0)) } ?? .null,
                "finished": r.finishedAt.map { .string(CeleryDate.format($0)) } ?? .null,
                "error": r.errorMessage.map(JSON.string) ?? .null,
                "next_countdown": r.nextCountdown.map(JSON.double) ?? .null,
            ]
        })
    }

    static func short(_ id: String) -> String { String(id.prefix(8)) }

    static func clip(_ text: String, _ width: Int) -> String {
        text.count > width ? String(text.prefix(width - 1)) + "…" : text
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int64(s))s" : String(format: "%.2fs", s)
    }

    private static let formatter: DateFormatter = {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss.SSS"
        f.locale = Locale(identifier: "en_US_POSIX")
        return f
    }()

    static func time(_ date: Date?) -> String {
        date.map { formatter.string(from: $0) } ?? "-"
    }
}
