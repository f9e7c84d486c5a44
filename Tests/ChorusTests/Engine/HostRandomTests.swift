import Testing
@testable import Chorus

/// `host->random` comes from the runtime's random source, so a seed repeats a run.
@Suite struct HostRandomTests {
    func draws(seed: UInt64) throws -> [JSON] {
        let registry = TaskRegistry()
        try registry.loadPlugin(at: PluginBuilder.fixture("randomness"))
        let runtime = try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: 1, random: SeededRandomSource(seed: seed)))
        runtime.start()
        defer { runtime.shutdown() }
        return try (0..<5).map { _ in try runtime.apply(syntax: "rnd.draw()").wait(timeout: 10) }
    }

    @Test func sameSeedSameNumbers() throws {
        let a = try draws(seed: 42)
        #expect(a == (try draws(seed: 42)))
        #expect(a != (try draws(seed: 43)))
        #expect(Set(a).count == 5)
    }
}
