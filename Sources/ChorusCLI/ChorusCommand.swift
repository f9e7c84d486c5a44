import ArgumentParser
import Chorus
import Foundation

/// The `chorus` command: load task plugins, inspect them and run tasks by name.
@main
struct ChorusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chorus",
        abstract: "Run tasks from native plugins, the way Celery runs Python tasks.",
        discussion: """
            Plugins are shared libraries built against include/chorus.h. They load from the bundled plugins next to this binary, from CHORUS_PLUGIN_PATH (colon-separated files or directories) and from --plugin PATH.

            Examples:
              chorus demo
              chorus tasks
              chorus call add 2 3
              chorus apply 'chord(add(1, 2), add(3, 4)) | tsum()'
              chorus send add 2 3          (with `chorus worker` running)
            """,
        version: ChorusVersion.full,
        subcommands: [
            TasksCommand.self, CallCommand.self, ApplyCommand.self, SendCommand.self, WorkerCommand.self, ResultCommand.self,
            HistoryCommand.self, InspectCommand.self, ReportCommand.self, DemoCommand.self,
        ]
    )

    /// Every error ends here: one line on stderr and an exit code that says
    /// what kind of failure it was (see `ExitCode+Chorus.swift`).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ChorusError {
            ErrorReporter.report(error)
        } catch let exit as CommandFailure {
            ErrorReporter.report(exit)
        } catch {
            Self.exit(withError: error)
        }
    }
}
