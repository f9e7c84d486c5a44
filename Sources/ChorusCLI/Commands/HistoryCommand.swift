import ArgumentParser
import Chorus
import Foundation

/// `chorus history`: the attempt table of a task or a whole workflow.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Print every attempt of a workflow (by its root id) or of one task.",
        discussion: """
            Examples:
              chorus history 3f2a9c1e-...
              chorus history 3f2a9c1e-... --json
            """
    )

    @Argument(help: "A workflow's root id or a task id.")
    var id: String

    @Flag(help: "Print the attempts as JSON.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let backend = try database.open()
        var records = try backend.attempts(forRoot: id)
        if records.isEmpty {
            records = try backend.attempts(forTask: id)
            // A chain's or chord's result id is its last task, not its root:
            // say where the rest of the workflow is (stderr, so `--json` stays clean).
            if let root = records.lazy.compactMap(\.rootID).first(where: { $0 != id }) {
                FileHandle.standardError.write(Data("note: task \(id) belongs to workflow \(root); `chorus history \(root)` lists all of it\n".utf8))
            }
        }
        if json {
            print(AttemptTable.json(records).serialized())
            return
        }
        guard !records.isEmpty else {
            throw ChorusError(.invalidInput, "no attempts recorded for \(id) in \(backend.path); is the id right, or has its history expired (7 days)?")
        }
        print(AttemptTable.render(records), terminator: "")
    }
}
