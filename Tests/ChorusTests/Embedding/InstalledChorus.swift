import Foundation
import Synchronization

/// Chorus installed with `scripts/install` from the build under test into a
/// private temporary prefix, once per test process, and C hosts compiled
/// against it the way a user builds them: with `pkg-config --cflags --libs
/// chorus` and nothing else.
enum InstalledChorus {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The prefix, installed on first use.
    static func prefix() throws -> String {
        try installed.withLock { prefix in
            if let prefix { return prefix }
            let target = PluginBuilder.makePrivateDirectory(prefix: "chorus-prefix")
            let script = PluginBuilder.repositoryRoot.appendingPathComponent("scripts/install").path
            let result = try ProcessRunner.run(
                "/usr/bin/env", ["bash", script, "--build-dir", ChorusBinary.directory, "--bundle-swift-runtime", target])
            guard result.status == 0 else {
                throw Failure(description: "scripts/install failed (\(result.status)): \(result.stderr)\(result.stdout)")
            }
            prefix = target
            return target
        }
    }

    private static let installed = Mutex<String?>(nil)

    static var pluginPath: String {
        get throws { try prefix() + "/lib/chorus/plugins/libchorus-examples.so" }
    }

    /// The environment a user would have: PKG_CONFIG_PATH, no LD_LIBRARY_PATH.
    static func environment() throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PKG_CONFIG_PATH"] = try prefix() + "/lib/pkgconfig"
        environment["LD_LIBRARY_PATH"] = nil
        environment["CHORUS_PLUGIN_PATH"] = nil
        return environment
    }

    /// `pkg-config --cflags --libs chorus`, split into arguments.
    static func pkgConfigFlags() throws -> [String] {
        let result = try ProcessRunner.run("/usr/bin/env", ["pkg-config", "--cflags", "--libs", "chorus"], environment: environment())
        guard result.status == 0 else { throw Failure(description: "pkg-config failed: \(result.stderr)") }
        return result.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// Compiles one C file with `cc -std=c99 -Wall -Wextra -Werror` and the
    /// pkg-config flags; returns the executable's path. Once per source.
    static func compile(_ source: String, extra: [String] = []) throws -> String {
        try compiling.withLock { built in
            if let path = built[source] { return path }
            let name = ((source as NSString).lastPathComponent as NSString).deletingPathExtension
            let output = try prefix() + "/test-\(name)"
            let arguments = ["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", source, "-o", output]
                + (try pkgConfigFlags()) + extra
            let result = try ProcessRunner.run("/usr/bin/env", arguments, environment: environment())
            guard result.status == 0 else {
                throw Failure(description: "\(arguments.joined(separator: " ")) failed:\n\(result.stderr)")
            }
            built[source] = output
            return output
        }
    }

    private static let compiling = Mutex<[String: String]>([:])

    static func fixture(_ name: String) -> String {
        PluginBuilder.repositoryRoot.appendingPathComponent("Tests/Fixtures/embedding/\(name)").path
    }

    static var chordExample: String {
        PluginBuilder.repositoryRoot.appendingPathComponent("Examples/c-host/chord.c").path
    }

    /// Runs a program with the user's environment.
    static func run(_ executable: String, _ arguments: [String]) throws -> ProcessRunner.Result {
        try ProcessRunner.run(executable, arguments, environment: environment())
    }
}
