// chorus-swift-example: runs chord([add(1, 2), add(3, 4)], tsum) through the
// Swift API with the bundled examples plugin, next to a Swift closure task.
//
//     swift run chorus-swift-example [path/to/libchorus-examples.so]
//
// Without an argument the plugin is looked up next to this executable, where
// `swift build` puts it.
import Chorus
import Foundation

let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
let pluginPath = CommandLine.arguments.dropFirst().first ?? here.appendingPathComponent("libchorus-examples.so").path

do {
    let registry = TaskRegistry()
    try registry.loadPlugin(at: pluginPath)
    // A Swift closure as a task, usable in the same canvas as plugin tasks.
    try registry.register(name: "double", signature: "int64 (int64 x)") { arguments, _ in
        .int(2 * (arguments[0].int64Value ?? 0))
    }

    let runtime = try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: 2))
    runtime.start()
    defer { runtime.shutdown() }

    let chord = Canvas.chord(Chord([.task(Signature("add", args: [1, 2])), .task(Signature("add", args: [3, 4]))],
                                   body: .task(Signature("tsum"))))
    let result = try runtime.apply(chord)
    print("chord([add(1, 2), add(3, 4)], tsum) = \(try await result.get(timeout: 10))")

    let mixed = try runtime.apply(chord | .task(Signature("double")))
    print("... | double = \(try await mixed.get(timeout: 10))")
} catch {
    // Every Chorus call throws `ChorusError` (typed throws), so `error.message` is at hand.
    FileHandle.standardError.write(Data("chorus-swift-example: \(error.message)\n".utf8))
    exit(1)
}
