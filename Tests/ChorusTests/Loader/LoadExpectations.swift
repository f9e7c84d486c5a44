import Foundation
import Testing
@testable import Chorus

/// Loads `path` into `registry`, expects a `ChorusError` with `code`, and
/// checks that its message mentions every string in `mentions`. Returns the
/// message for further checks.
@discardableResult
func expectLoadFailure(
    _ path: String, into registry: TaskRegistry = TaskRegistry(), code: ChorusError.Code, mentions: [String],
    sourceLocation: SourceLocation = #_sourceLocation
) -> String? {
    do {
        let info = try registry.loadPlugin(at: path)
        Issue.record("loading \(path) succeeded (plugin '\(info.name)'); expected \(code)", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.code == code, "wrong code for: \(error.message)", sourceLocation: sourceLocation)
        for text in mentions {
            #expect(error.message.contains(text), "message lacks \"\(text)\": \(error.message)", sourceLocation: sourceLocation)
        }
        return error.message
    }
}

/// Calls `name` in `registry` with positional `args` and returns the outcome.
func callTask(_ registry: TaskRegistry, _ name: String, _ args: [JSON] = [], taskID: String = "t-1",
              services: TaskServices = StandaloneTaskServices()) throws -> InvocationOutcome {
    let task = try registry.task(named: name)
    return try Invoker.invoke(task, args: args, request: InvocationRequest(taskID: taskID), services: services)
}

/// Files and directories for path-safety tests: a private directory per test,
/// copies of built plugins inside it.
enum Scratch {
    /// A new directory with mode 0700.
    static func directory() -> String { PluginBuilder.makePrivateDirectory(prefix: "chorus-scratch") }

    /// Copies the file at `source` to `directory/name` with `mode` and returns the new path.
    static func copy(_ source: String, into directory: String, as name: String, mode: mode_t = 0o755) throws -> String {
        let target = "\(directory)/\(name)"
        try FileManager.default.copyItem(atPath: source, toPath: target)
        guard chmod(target, mode) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return target
    }
}

/// The canonical form of `path` (the loader reports canonical paths; the
/// builder's paths may contain `//`).
func canonical(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}
