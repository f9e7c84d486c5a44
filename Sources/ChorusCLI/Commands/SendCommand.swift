import ArgumentParser
import Chorus
import Foundation

/// `chorus send`: enqueue a task or canvas on the durable database.
struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Enqueue a task or canvas on the durable database and print its id.",
        discussion: """
            With a task name, the words after it are its arguments, as for `chorus call`. Anything with parentheses, Celery JSON or @file is a canvas, as for `chorus apply`. Prints the id to wait on (`chorus result ID --wait`); --json prints the id, the workflow's root id and, for a group, its members.

            Examples:
              chorus send add 2 3
              chorus send 'chord(add(1, 2), add(3, 4)) | tsum()'
              chorus send add 1 2 --countdown 30
            """
    )

    @Argument(help: "A task name, or a canvas.")
    var target: String

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Task arguments: values, then NAME=VALUE.", valueName: "ARG"))
    var values: [String] = []

    @Option(help: ArgumentHelp("Run no earlier than S seconds from now.", valueName: "S"))
    var countdown: Double?

    @Option(help: ArgumentHelp("Queue to send to (default: celery).", valueName: "NAME"))
    var queue: String?

    @Flag(name: .customLong("no-validate"), help: "Do not check task names against the plugins loaded here.")
    var noValidate = false

    @Flag(help: "Print JSON: id, root id, member ids.")
    var json = false

    @OptionGroup var pluginOptions: PluginOptions
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let canvas: Canvas
        if target.contains("(") || target.hasPrefix("{") || target.hasPrefix("@") {
            guard values.isEmpty else {
                throw ChorusError(.invalidInput, "extra words after a canvas: \(values.joined(separator: " ")); put arguments inside the canvas, e.g. 'add(1, 2)'")
            }
            canvas = try CanvasInput.parse(target)
        } else {
            let (args, kwargs) = try CommandLineValues.parse(words: values, argsJSON: nil, kwargsJSON: nil)
            canvas = .task(Signature(target, args: args, kwargs: kwargs))
        }
        var options = SignatureOptions()
        if let countdown {
            guard countdown.isFinite, countdown >= 0 else { throw ChorusError(.invalidInput, "--countdown must be 0 or more seconds") }
            options.countdown = countdown
        }
        if let queue { options.queue = queue }
        let registry = noValidate ? TaskRegistry() : try pluginOptions.makeRegistry()
        let backend = try database.open()
        var configuration = RuntimeConfiguration(concurrency: 1)
        configuration.validateTaskNames = !noValidate
        let runtime = try Runtime(registry: registry, configuration: configuration, broker: backend, store: backend, state: backend)
        let handle = try runtime.apply(canvas, options: options)
        runtime.shutdown(timeout: 1)
        if json {
            print(JSON.object([
                "id": .string(handle.id), "root_id": handle.rootID.map(JSON.string) ?? .null,
                "members": .array(handle.members.map { .string($0.id) }),
            ]).serialized())
        } else {
            print(handle.id)
        }
    }
}
