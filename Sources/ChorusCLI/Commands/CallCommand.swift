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
            3 is a number, abc and '"3"' are strings, '[1,2]' is a list. NAME=VALUE passes a
            keyword argument. Exit status: 0 on success, 1 when the task fails, 65 for bad
            input (unknown task, arguments that do not fit), 78 when a plugin cannot load.

            Examples:
              chorus call add 2 3
              chorus call add x=2 y=3
              chorus call greet --args '["world"]' --kwargs '{"punctuation": "!"}'
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

    @OptionGroup var pluginOptions: PluginOptions

    func run() throws {
        let (args, kwargs) = try CommandLineValues.parse(words: values, argsJSON: argsJSON, kwargsJSON: kwargsJSON)
        let registry = try pluginOptions.makeRegistry()
        let resolved = try registry.task(named: task)
        let request = InvocationRequest(taskID: UUID().uuidString.lowercased())
        let outcome = try Invoker.invoke(resolved, args: args, kwargs: kwargs, request: request, services: StandaloneTaskServices())
        switch outcome {
        case .success(let result):
            print(result.serialized())
        case .failure(let message, _):
            throw ChorusError(.taskFailed, "\(task) failed: \(message)")
        case .retry(_, let message):
            throw ChorusError(.taskFailed, "\(task) asked for a retry\(message.map { ": \($0)" } ?? "")")
        }
    }
}
