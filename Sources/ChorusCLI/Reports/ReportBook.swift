import Chorus
import Foundation

/// Reads the reports plugin's state (see `Plugins/Reports/reports.c` for the
/// layout) into reports and task-log rows, for `chorus report` and `chorus demo`.
struct ReportBook {
    static let namespace = "reports"

    struct Report {
        var id: Int64
        var kind: String
        var status: String
        var created: String
        var workflowSent: Bool
    }

    struct LogRow {
        var task: String
        var status: String
        var retry: Int
        var created: String
        var finished: String?
    }

    let state: PluginStateStore

    func reports() throws(ChorusError) -> [Report] {
        var fields: [Int64: [String: String]] = [:]
        for item in try state.list(namespace: Self.namespace, prefix: "report:") {
            let parts = item.key.split(separator: ":")
            guard parts.count == 3, let id = Int64(parts[1]) else { continue }
            fields[id, default: [:]][String(parts[2])] = item.value
        }
        return fields.keys.sorted().compactMap { id in
            let f = fields[id]!
            guard let status = f["status"] else { return nil }
            return Report(id: id, kind: f["kind"] ?? "?", status: status, created: f["created"] ?? "", workflowSent: f["sent"] == "true")
        }
    }

    func report(_ id: Int64) throws(ChorusError) -> Report? {
        try reports().first { $0.id == id }
    }

    func log(of id: Int64) throws(ChorusError) -> [LogRow] {
        try state.list(namespace: Self.namespace, prefix: "log:\(id):").compactMap { item in
            guard !item.key.hasSuffix(":seq"), let row = try? JSON(parsing: item.value) else { return nil }
            return LogRow(
                task: row["task"]?.stringValue ?? "?", status: row["status"]?.stringValue ?? "?",
                retry: Int(row["retry"]?.int64Value ?? 0), created: row["created"]?.stringValue ?? "",
                finished: row["finished"]?.stringValue)
        }
    }

    /// The task log as a table: task, status, created, finished, retry.
    static func render(_ rows: [LogRow]) -> String {
        let header = ["task", "status", "created", "finished", "retry"]
        let cells = rows.map { [$0.task, $0.status, $0.created, $0.finished ?? "-", String($0.retry)] }
        var widths = header.map(\.count)
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ row: [String]) -> String {
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + cells.map(line)).map { "  " + $0 }.joined(separator: "\n") + "\n"
    }
}
