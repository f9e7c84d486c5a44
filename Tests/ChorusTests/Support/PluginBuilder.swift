import Foundation
import Synchronization

/// Builds test plugins from real C with the system compiler, as a plugin
/// author would: `cc -std=c99 -Wall -Wextra -Werror -pedantic -shared -fPIC`.
///
/// Outputs go to a private (0700) directory per test process, so the loader's
/// permission checks accept them; each source is compiled once per process.
enum PluginBuilder {
    /// The repository's root, found from this file's location.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let includeDirectory = repositoryRoot.appendingPathComponent("include").path
    static let fixturesDirectory = repositoryRoot.appendingPathComponent("Tests/Fixtures/plugins").path

    /// A fresh private directory (mode 0700) for this process's build outputs.
    static let outputDirectory: String = makePrivateDirectory(prefix: "chorus-plugins")

    private static let built = Mutex<[String: String]>([:])
    /// Serialises compilation, so two tests building the same fixture at once
    /// never write the same output file concurrently.
    private static let compiling = NSLock()

    /// Compiles `Tests/Fixtures/plugins/<name>.c` and returns the library path.
    static func fixture(_ name: String, defines: [String] = []) throws -> String {
        let source = try String(contentsOfFile: "\(fixturesDirectory)/\(name).c", encoding: .utf8)
        let suffix = defines.isEmpty ? "" : "-" + defines.joined(separator: "-").replacingOccurrences(of: "=", with: "_")
        return try build(name: name + suffix, source: source, defines: defines)
    }

    /// Compiles `source` into `lib<name>.so` and returns its path.
    static func build(name: String, source: String, defines: [String] = []) throws -> String {
        let key = name + "\u{0}" + source + defines.joined(separator: ",")
        compiling.lock()
        defer { compiling.unlock() }
        if let path = built.withLock({ $0[key] }) { return path }
        let sourcePath = "\(outputDirectory)/\(name).c"
        let output = "\(outputDirectory)/lib\(name).so"
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        var arguments = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-shared", "-fPIC", "-I", includeDirectory]
        arguments += defines.map { "-D" + $0 }
        arguments += ["-o", output, sourcePath]
        let result = try ProcessRunner.run("/usr/bin/env", ["cc"] + arguments)
        guard result.status == 0 else {
            throw BuildFailure(message: "cc failed for \(name): \(result.stderr)")
        }
        built.withLock { $0[key] = output }
        return output
    }

    struct BuildFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Creates a new directory with mode 0700 under the system temp directory.
    static func makePrivateDirectory(prefix: String) -> String {
        var template = Array("\(NSTemporaryDirectory())/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: \(String(cString: strerror(errno)))")
        let canonical = realpath(made!, nil)!
        defer { free(canonical) }
        return String(cString: canonical)
    }
}
