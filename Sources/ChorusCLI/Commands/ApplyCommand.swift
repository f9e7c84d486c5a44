import ArgumentParser
import Chorus
import Foundation

/// `chorus apply`: run a signature or canvas in this process, with live
/// progress, and print its result and attempt table.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Run a signature or canvas (chain, group, chord) in this process.",
        discussion: """
            CANVAS is Celery JSON (a signature dict, inline or @file) or the one-line syntax:
              add(2, 3)                    a task; JSON values, NAME=VALUE keywords
              add(2, 3) | mul(10)          a chain: each result goes to the next step
              si:add(1, 1)                 immutable: ignores the previous result
              group(add(1, 1), add(2, 2))  in parallel; results in member order
              chord(add(1, 1), add(2, 2)) | tsum()
                                           the body runs once with every result
              chord(add(1, 1), body=tsum())
                                           the same, with the body named
              add(1, 2).on_success(echo()).on_error(fail("x"))
                                           link and link_error callbacks

            Progress (a line per state change) goes to stderr; the result and the attempt table go to stdout. Exit status: 0 success, 1 failure or revoked, 65 bad input, 75 timeout.

            Examples:
              chorus apply 'chord(add(1, 2), add(3, 4)) | tsum()'
              chorus apply 'flaky(3)' --time-scale 0.01
              chorus apply @workflow.json --json
            """
    )

    @Argument(help: "The canvas: one-line syntax, Celery JSON, or @file.")
    var canvas: String

    @OptionGroup var runtimeOptions: RuntimeOptions
    @OptionGroup var pluginOptions: PluginOptions
    @OptionGroup var database: OptionalDatabaseOptions

    @Option(help: ArgumentHelp("Give up waiting after S seconds (real time).", valueName: "S"))
    var timeout: Double?

    @Flag(help: "Print one JSON document (result, state, attempts) instead of text.")
    var json = false

    @Flag(help: "Do not print progress lines.")
    var quiet = false

    func run() throws {
        let parsed = try CanvasInput.parse(canvas)
        let registry = try pluginOptions.makeRegistry()
        let runtime = try database.makeRuntime(registry: registry, configuration: runtimeOptions.configuration())
        if !quiet {
            let printer = ProgressPrinter()
            runtime.observe { printer.print($0) }
        }
        runtime.start()
        defer { runtime.shutdown(timeout: 5) }
        let handle = try runtime.apply(parsed)
        var outcome: Result<JSON, ChorusError>
        do {
            outcome = .success(try handle.wait(timeout: timeout))
        } catch {
            outcome = .failure(error)
        }
        let attempts = try handle.attempts()
        if json {
            var document: [(String, JSON)] = [("id", .string(handle.id)), ("state", .string(handle.state.rawValue))]
            switch outcome {
            case .success(let r): document += [("result", r), ("error", .null)]
            case .failure(let e): document += [("result", .null), ("error", .string(e.message))]
            }
            document.append(("attempts", AttemptTable.json(attempts)))
            var object = JSON.emptyObject.objectValue!
            for (k, v) in document { object[k] = v }
            print(JSON.object(object).serialized())
        } else {
            switch outcome {
            case .success(let r): print("result: \(r.serialized())")
            case .failure(let e): print("\(handle.state.rawValue): \(e.message)")
            }
            print("")
            print(AttemptTable.render(attempts), terminator: "")
        }
        if case .failure(let error) = outcome {
            throw CommandFailure(message: error.message, status: ExitStatus.code(for: error))
        }
    }
}
