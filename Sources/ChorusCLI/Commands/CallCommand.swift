import ArgumentParser
import Chorus
import Foundation

/// `chorus call`: run one task in this process and print its result as JSON.
struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Run one task in this process and print its result as JSON.",
        discussion: """
            Values are parsed as JSON when they are valid JSON, otherwise taken as strings:
            3 is a number, abc and '"3"' are strings, '[1,2]' is a list. NAME=VALUE passes a keyword argument. The task's retry policy applies (autoretry, max_retries, backoff); --time-scale shrinks its retry delays. Exit status: 0 on success, 1 when the task fails, 65 for bad input (unknown task, arguments that do not fit), 78 when a plugin cannot load.

            Examples:
              chorus call add 2 3
              chorus call add x=2 y=3
              chorus call greet --args '["world"]' --kwargs '{"punctuation": "!"}'
              chorus call flaky 2 --time-scale 0.01
              chorus call report_group_short 7 --plugin ./libreports.so
            """
    )

    @Argument(help: "The task's registered name, e.g. add or images.resize.")
    var task: String

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Positional values, then NAME=VALUE keyword values.", valueName: "ARG"))
    var values: [String] = []

    @Option(name: .customLong("args"), help: ArgumentHelp("Positional arguments as a JSON array.", valueName: "JSON"))
    var argsJSON: String?

    @Option(name: .customLong("kwargs"), help: ArgumentHelp("Keyword arguments as a JSON object.", valueName: "JSON"))
    var kwargsJSON: String?

    @OptionGroup var runtimeOptions: RuntimeOptions
    @OptionGroup var pluginOptions: PluginOptions
    @OptionGroup var database: OptionalDatabaseOptions

    func run() throws {
        let (args, kwargs) = try CommandLineValues.parse(words: values, argsJSON: argsJSON, kwargsJSON: kwargsJSON)
        let registry = try pluginOptions.makeRegistry()
        let resolved = try registry.task(named: task)
        // Arguments that cannot fit are bad input (exit 65), not a task failure.
        _ = try Invoker.check(resolved, args: args, kwargs: kwargs)
        let runtime = try database.makeRuntime(registry: registry, configuration: runtimeOptions.configuration())
        runtime.start()
        defer { runtime.shutdown(timeout: 5) }
        let result = try runtime.apply(.task(Signature(task, args: args, kwargs: kwargs)))
        do {
            print(try result.wait().serialized())
        } catch {
            let reason = result.meta?.error?.message ?? error.message
            throw ChorusError(error.code, "\(task) failed: \(reason)")
        }
    }
}
