import Foundation

/// Runs the built `chorus` executable, which `swift build`/`swift test` put in
/// the same directory as the test bundle, next to the bundled plugins.
enum ChorusBinary {
    static let directory: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent
    }()

    static var path: String { "\(directory)/chorus" }

    /// Runs `chorus` with `arguments`; `CHORUS_PLUGIN_PATH` is cleared unless given.
    static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> ProcessRunner.Result {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw PluginBuilder.BuildFailure(message: "the chorus binary is not at \(path); run `swift build` before `swift test`")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["CHORUS_PLUGIN_PATH"] = nil
        for (k, v) in extra { environment[k] = v }
        return try ProcessRunner.run(path, arguments, environment: environment)
    }
}
