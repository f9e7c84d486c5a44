import Foundation
import Testing
@testable import Chorus

/// The Swift API: closures registered as tasks run in the same canvases as
/// plugin tasks, and the Swift host example runs.
@Suite struct EmbeddingSwiftHostTests {
    @Test func swiftClosuresTakePartInCanvasesWithPluginTasks() async throws {
        let registry = try EngineSmokeTests.examplesRegistry()
        try registry.register(name: "square", signature: "int64 (int64 x)") { arguments, _ in
            let x = arguments[0].int64Value ?? 0
            return .int(x * x)
        }
        try registry.register(name: "describe", signature: "string (json numbers)") { arguments, context in
            .string("\(context.taskName): \(arguments[0])")
        }
        let runtime = try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: 2, timeScale: 0.001))
        runtime.start()
        defer { runtime.shutdown() }

        // A plugin task into a closure, a chord of closures into a plugin body,
        // and a group of both kinds into a closure body.
        let chain = Canvas.task(Signature("add", args: [1, 2])) | .task(Signature("square"))
        #expect(try await runtime.apply(chain).get(timeout: 10) == 9)
        let chord = Canvas.chord(Chord([.task(Signature("square", args: [3])), .task(Signature("square", args: [4]))],
                                       body: .task(Signature("tsum"))))
        #expect(try await runtime.apply(chord).get(timeout: 10) == 25)
        let mixed = Canvas.chord(Chord([.task(Signature("add", args: [1, 1])), .task(Signature("square", args: [5]))],
                                       body: .task(Signature("describe"))))
        #expect(try await runtime.apply(mixed).get(timeout: 10) == "describe: [2,25]")
    }

    @Test func aFailingClosureFailsTheChordWithATypedError() async throws {
        let registry = try EngineSmokeTests.examplesRegistry()
        try registry.register(name: "refuse", signature: "int64 (int64 x)") { _, _ in
            throw TaskFailure("refused", retryable: false)
        }
        let runtime = try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: 2, timeScale: 0.001))
        runtime.start()
        defer { runtime.shutdown() }
        let chord = Canvas.chord(Chord([.task(Signature("add", args: [1, 1])), .task(Signature("refuse", args: [1]))],
                                       body: .task(Signature("tsum"))))
        do {
            _ = try await runtime.apply(chord).get(timeout: 10)
            Issue.record("the chord should have failed")
        } catch {
            // `get` throws `ChorusError` itself (typed throws): no cast needed.
            #expect(error.code == .taskFailed)
            #expect(error.message.contains("refused"))
        }
    }

    @Test func theSwiftHostExampleRuns() throws {
        let example = ChorusBinary.directory + "/chorus-swift-example"
        let run = try ProcessRunner.run(example, [ChorusBinary.directory + "/libchorus-examples.so"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "chord([add(1, 2), add(3, 4)], tsum) = 10\n... | double = 20\n")
    }
}
