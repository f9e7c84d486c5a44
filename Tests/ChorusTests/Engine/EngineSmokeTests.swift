import Foundation
import Testing
@testable import Chorus

@Suite struct EngineSmokeTests {
    static func examplesRegistry() throws -> TaskRegistry {
        let registry = TaskRegistry()
        let examples = ChorusBinary.directory + "/libchorus-examples.so"
        try registry.loadPlugin(at: examples)
        return registry
    }

    func runtime(_ concurrency: Int = 2, scale: Double = 0.001) throws -> Runtime {
        let rt = try Runtime(registry: try Self.examplesRegistry(), configuration: RuntimeConfiguration(concurrency: concurrency, timeScale: scale))
        rt.start()
        return rt
    }

    @Test func singleTaskChainGroupChord() throws {
        let rt = try runtime()
        defer { rt.shutdown() }
        #expect(try rt.apply(syntax: "add(2, 3)").wait(timeout: 10) == 5)
        #expect(try rt.apply(syntax: "add(2, 3) | mul(10) | add(1)").wait(timeout: 10) == 51)
        #expect(try rt.apply(syntax: "group(add(1, 1), add(2, 2), add(3, 3))").wait(timeout: 10) == [2, 4, 6])
        #expect(try rt.apply(syntax: "chord(add(1, 1), add(2, 2), add(3, 3)) | tsum()").wait(timeout: 10) == 12)
        #expect(try rt.apply(syntax: "group(add(1, 1), add(2, 2)) | tsum() | mul(3)").wait(timeout: 10) == 18)
    }

    @Test func retriesWithBackoffThenSucceed() throws {
        let rt = try runtime()
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: "flaky(3)")
        #expect(try result.wait(timeout: 10) == 3)
        let attempts = try rt.store.attempts(forTask: result.id)
        #expect(attempts.map(\.state) == [.retry, .retry, .retry, .success])
        #expect(attempts.map(\.attempt) == [1, 2, 3, 4])
    }

    @Test func failureStopsTheChainAndChordErrors() throws {
        let rt = try runtime()
        defer { rt.shutdown() }
        let chain = try rt.apply(syntax: #"add(1, 1) | si:fail("boom") | add(1)"#)
        #expect(throws: ChorusError.self) { try chain.wait(timeout: 10) }
        #expect(chain.meta?.error?.message == "boom")
        let chord = try rt.apply(syntax: #"chord(add(1, 1), fail("x")) | tsum()"#)
        do {
            _ = try chord.wait(timeout: 10)
            Issue.record("expected failure")
        } catch {
            #expect(error.message.contains("ChordError: Dependency"))
        }
    }
}
