import Testing
@testable import Chorus

/// `host->random`: each invocation draws from a stream derived from the
/// runtime's seed, the task, its arguments and its retry count, so a seeded
/// run repeats whatever order the executors run tasks in.
@Suite struct HostRandomTests {
    func runtime(seed: UInt64, concurrency: Int = 2) throws -> Runtime {
        let registry = TaskRegistry()
        try registry.loadPlugin(at: PluginBuilder.fixture("randomness"))
        let runtime = try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: concurrency, random: SeededRandomSource(seed: seed)))
        runtime.start()
        return runtime
    }

    func draws(seed: UInt64, concurrency: Int = 2) throws -> [JSON] {
        let rt = try runtime(seed: seed, concurrency: concurrency)
        defer { rt.shutdown() }
        return try rt.apply(syntax: "group(rnd.draw(0), rnd.draw(1), rnd.draw(2), rnd.draw(3), rnd.draw(4))").wait(timeout: 10).arrayValue ?? []
    }

    @Test func sameSeedSameNumbersWhateverTheScheduling() throws {
        let a = try draws(seed: 42, concurrency: 1)
        #expect(a.count == 5)
        #expect(a == (try draws(seed: 42, concurrency: 4)))
        #expect(a != (try draws(seed: 43)))
        #expect(Set(a).count == 5)
    }

    @Test func drawsWithinOneInvocationDiffer() throws {
        let rt = try runtime(seed: 1)
        defer { rt.shutdown() }
        #expect(try rt.apply(syntax: "rnd.pair()").wait(timeout: 10) == true)
    }
}
