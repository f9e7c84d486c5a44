import Foundation
import Testing
@testable import Chorus

/// chorus.h: "The host calls the entry point once per process and per plugin
/// file." That holds for a plugin whose load failed after its entry point
/// ran, too: trying again must not run it a second time.
@Suite struct EntryPointOnceTests {
    /// The fixture's own count of entry calls, read through its exported
    /// `counted_entry_calls` (the library stays loaded: the host never closes it).
    static func entryCalls(_ path: String) throws -> Int64 {
        let handle = try #require(dlopen(path, RTLD_NOW | RTLD_NOLOAD), "the plugin is not loaded")
        defer { dlclose(handle) }
        let symbol = try #require(dlsym(handle, "counted_entry_calls"))
        return unsafeBitCast(symbol, to: (@convention(c) () -> Int64).self)()
    }

    @Test func anEntryPointThatRefusedIsNotCalledAgain() throws {
        let path = try PluginBuilder.fixture("counted", defines: ["CASE_REFUSE"])
        for attempt in 1...3 {
            let registry = TaskRegistry()
            // Later attempts repeat the first error and say why nothing changed.
            let later = attempt > 1 ? ["not called again", "restart"] : []
            expectLoadFailure(path, into: registry, code: .pluginLoad, mentions: [canonical(path), "refused on call 1"] + later)
            #expect(registry.plugins.isEmpty)
        }
        #expect(try Self.entryCalls(path) == 1)
    }

    @Test func anEntryPointWhoseDescriptorWasRejectedIsNotCalledAgain() throws {
        let path = try PluginBuilder.fixture("counted", defines: ["CASE_BAD_DESCRIPTOR"])
        let copy = try Scratch.copy(path, into: Scratch.directory(), as: "copy.so")
        for attempt in [path, path, copy] {
            expectLoadFailure(attempt, code: .invalidDescriptor, mentions: [canonical(path), "task 'counted.entry_calls'", "function is NULL"])
        }
        #expect(try Self.entryCalls(path) == 1)
    }
}
