import ArgumentParser
import Chorus
import Foundation

/// `chorus report`: the tutorial's admin pages for the bundled reports plugin.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Create, list and show the reports of the bundled reports plugin.",
        discussion: """
            Reports live in the durable database (--db), so a worker in another process runs their workflows and any process can show them.

            Examples:
              chorus report create --chord --wait     (with `chorus worker` running elsewhere)
              chorus report list --status error
              chorus report show 5
            """,
        subcommands: [Create.self, List.self, Show.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a report and send its workflow; print its id.",
            discussion: """
                The report is saved and its workflow enqueued in one transaction (the tutorial's save() + transaction.on_commit(do_celery)). A worker runs the workflow.
                """
        )

        @Flag(name: .customLong("group"), help: "A group report: group(short, medium, long) with link(finished).")
        var group = false

        @Flag(name: .customLong("chord"), help: "A chord report: chord([short, medium, long], finished).")
        var chord = false

        @Flag(help: "Follow the report live until its work is over.")
        var wait = false

        @Option(help: ArgumentHelp("With --wait: give up after S seconds.", valueName: "S"))
        var timeout: Double = 3600

        @OptionGroup var pluginOptions: PluginOptions
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            guard group != chord else {
                throw ChorusError(.invalidInput, "say which kind of report: --group or --chord")
            }
            let kind = group ? "group" : "chord"
            let registry = try pluginOptions.makeRegistry()
            let backend = try database.open()
            let runtime = try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: 1), broker: backend, store: backend, state: backend)
            var ids = RandomTaskIDs()
            let createID = ids.next()
            let outcome = try runtime.call("report_create", args: [.string(kind), .string(createID)], taskID: createID)
            guard case .success(.int(let id)) = outcome else {
                throw ChorusError(.taskFailed, "report_create failed: \(outcome)")
            }
            print(id)
            if wait { try ReportFollower(book: ReportBook(state: backend), store: backend, reportID: id, rootID: createID).follow(timeout: timeout) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List reports: id, kind, status, created.")

        @Option(help: ArgumentHelp("Only reports with this status: processing, error or finished.", valueName: "STATUS"))
        var status: String?

        @Option(help: ArgumentHelp("Only reports of this kind: group or chord.", valueName: "KIND"))
        var kind: String?

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            if let status, !["processing", "error", "finished"].contains(status) {
                throw ChorusError(.invalidInput, "--status must be processing, error or finished, got '\(status)'")
            }
            if let kind, !["group", "chord"].contains(kind) {
                throw ChorusError(.invalidInput, "--kind must be group or chord, got '\(kind)'")
            }
            let book = ReportBook(state: try database.open())
            let reports = try book.reports().filter { (status == nil || $0.status == status) && (kind == nil || $0.kind == kind) }
            print("id    kind   status      created")
            for r in reports {
                print("\(String(r.id).padding(toLength: 5, withPad: " ", startingAt: 0)) \(r.kind.padding(toLength: 6, withPad: " ", startingAt: 0)) \(r.status.padding(toLength: 11, withPad: " ", startingAt: 0)) \(r.created)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a report and its task log.")

        @Argument(help: "The report id.")
        var id: Int64

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let book = ReportBook(state: try database.open())
            guard let report = try book.report(id) else {
                throw ChorusError(.invalidInput, "no report \(id); `chorus report list` shows the reports")
            }
            print("report \(report.id): \(report.kind), \(report.status), created \(report.created), workflow \(report.workflowSent ? "sent" : "not sent")")
            print(ReportBook.render(try book.log(of: id)), terminator: "")
        }
    }
}

/// Prints a report's task log as rows appear, until its workflow is over.
struct ReportFollower {
    let book: ReportBook
    let store: any ResultStore
    let reportID: Int64
    let rootID: String

    func follow(timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var shown: [String: String] = [:]
        var quiet = 0
        while Date() < deadline {
            for row in try book.log(of: reportID) {
                let key = "\(row.task)#\(row.retry)"
                let line = "\(row.task) retry \(row.retry): \(row.status)"
                if shown[key] != line {
                    shown[key] = line
                    print("  \(row.finished ?? row.created)  \(line)")
                }
            }
            let attempts = try store.attempts(forRoot: rootID)
            var latest: [String: AttemptRecord] = [:]
            for a in attempts where (latest[a.taskID]?.attempt ?? 0) <= a.attempt { latest[a.taskID] = a }
            let apiTasks = Set(attempts.map(\.taskName)).filter { $0.hasSuffix("_short") || $0.hasSuffix("_medium") || $0.hasSuffix("_long") }
            let status = try book.report(reportID)?.status ?? "processing"
            let over = apiTasks.count == 3 && latest.values.allSatisfy { $0.state.isReady } && status != "processing"
            quiet = over ? quiet + 1 : 0
            if quiet >= 3 {
                let report = try book.report(reportID)
                print("report \(reportID): \(report?.status ?? "?")")
                return
            }
            usleep(200_000)
        }
        throw CommandFailure(message: "report \(reportID) is still processing after \(Int(timeout)) s; is a worker running?", status: ExitStatus.timeout)
    }
}
