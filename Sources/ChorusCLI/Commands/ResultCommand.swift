import ArgumentParser
import Chorus
import Foundation

/// `chorus result`: the state and result of a task on the durable database.
struct ResultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "result",
        abstract: "Print a task's state and result from the durable database.",
        discussion: """
            Prints the state, then the result as JSON (or the error). Exit status: 0 for SUCCESS or a state that is not final yet, 1 for FAILURE or REVOKED, 75 when --wait times out.

            Examples:
              chorus result 3f2a9c1e-...
              chorus result 3f2a9c1e-... --wait --timeout 30
            """
    )

    @Argument(help: "The task id (for a chain, its last task; for a chord, its body).")
    var id: String

    @Flag(help: "Wait until the task is done.")
    var wait = false

    @Option(help: ArgumentHelp("With --wait: give up after S seconds.", valueName: "S"))
    var timeout: Double?

    @Flag(help: "Print Celery's result meta as JSON.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let backend = try database.open()
        var meta = try backend.result(for: id)
        if wait {
            meta = try backend.waitForReadyResult(for: id, timeout: timeout ?? 365 * 86_400)
            guard meta != nil else {
                let state = (try backend.result(for: id))?.state.rawValue ?? "PENDING"
                throw CommandFailure(message: "task \(id) did not finish within \(timeout ?? 0) s (state \(state))", status: ExitStatus.timeout)
            }
        }
        guard let meta else {
            if json { print(JSON.object(["status": "PENDING", "result": nil, "task_id": .string(id)]).serialized()) } else { print("PENDING") }
            return
        }
        if json {
            print(meta.celeryJSON(extended: true).serialized())
        } else {
            print(meta.state.rawValue)
            if meta.state == .success {
                print(meta.result.serialized())
            } else if let error = meta.error {
                print("\(error.type): \(error.message)")
            }
        }
        if meta.state == .failure || meta.state == .revoked {
            throw CommandFailure(message: "task \(id) \(meta.state == .failure ? "failed" : "was revoked"): \(meta.error?.message ?? "")", status: ExitStatus.taskFailed)
        }
    }
}
