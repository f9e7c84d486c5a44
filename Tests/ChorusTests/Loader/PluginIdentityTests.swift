import Foundation
import Testing
@testable import Chorus

/// How the loader recognises a plugin it already loaded, keeps plugins'
/// symbols apart, and handles task names claimed by two plugins.
@Suite struct PluginIdentityTests {
    /// `path` written relative to the current directory.
    static func relative(_ path: String) -> String {
        let cwd = canonical(FileManager.default.currentDirectoryPath)
        let ups = cwd.split(separator: "/").map { _ in ".." }.joined(separator: "/")
        return ups + canonical(path)
    }

    @Test func theSamePluginLoadedAgainIsRecognisedAndNotInitialisedTwice() throws {
        let path = try LoaderFixtures.counted.get()
        let registry = TaskRegistry()
        let first = try registry.loadPlugin(at: path)
        #expect(first.path == canonical(path))
        #expect(try callTask(registry, "counted.entry_calls") == .success(1))

        let directory = Scratch.directory()
        let link = "\(directory)/link.so"
        #expect(symlink(path, link) == 0)
        let copy = try Scratch.copy(path, into: directory, as: "copy.so")
        let relative = Self.relative(path)
        #expect(!relative.hasPrefix("/"))
        for again in [path, link, copy, relative] {
            let info = try registry.loadPlugin(at: again)
            #expect(info == first, "loading \(again) again")
        }
        #expect(registry.plugins == [first])
        #expect(registry.tasks.map(\.name) == ["counted.entry_calls"])
        #expect(try callTask(registry, "counted.entry_calls") == .success(1), "the entry point ran again")

        // Another registry in the same process shares the opened library.
        let other = TaskRegistry()
        #expect(try other.loadPlugin(at: copy) == first)
        #expect(try callTask(other, "counted.entry_calls") == .success(1))
    }

    @Test func aRelativePathIsResolvedToTheCanonicalPath() throws {
        let path = try LoaderFixtures.helperTwo.get()
        let relative = Self.relative(path)
        let registry = TaskRegistry()
        let info = try registry.loadPlugin(at: relative)
        #expect(info.path == canonical(path))
        #expect(try callTask(registry, "helper_two.value") == .success(2))
    }

    @Test func twoPluginsWithTheSameHelperSymbolDoNotClash() throws {
        let registry = TaskRegistry()
        try registry.loadPlugin(at: try LoaderFixtures.helperOne.get())
        try registry.loadPlugin(at: try LoaderFixtures.helperTwo.get())
        #expect(try callTask(registry, "helper_one.value") == .success(1))
        #expect(try callTask(registry, "helper_two.value") == .success(2))
    }

    @Test func aTaskNameClaimedByTwoPluginsFailsTheSecondLoad() throws {
        let a = try LoaderFixtures.clashA.get()
        let b = try LoaderFixtures.clashB.get()
        let registry = TaskRegistry()
        try registry.loadPlugin(at: a)
        expectLoadFailure(
            b, into: registry, code: .duplicateTask,
            mentions: ["'shared.task'", "'clash_a'", canonical(a), "'clash_b'", canonical(b), "rename"])
        // Nothing of the second plugin registered, not even its non-clashing task.
        #expect(registry.plugins.map(\.name) == ["clash_a"])
        #expect(registry.tasks.map(\.name) == ["shared.task", "clash_a.only"])
        #expect(throws: ChorusError(.unknownTask, "")) { try registry.task(named: "clash_b.first") }
        // The first plugin's tasks keep working.
        #expect(try callTask(registry, "shared.task") == .success(1))
        #expect(try callTask(registry, "clash_a.only") == .success(10))
        // The second plugin is fine on its own.
        let alone = TaskRegistry()
        try alone.loadPlugin(at: b)
        #expect(try callTask(alone, "shared.task") == .success(2))
    }

    @Test func twoDifferentFilesWithTheSamePluginNameDoNotBothLoad() throws {
        let first = try LoaderFixtures.wellFormed.get()
        let second = try LoaderFixtures.dotted.get()  // Also named "loader_cases".
        let registry = TaskRegistry()
        try registry.loadPlugin(at: first)
        expectLoadFailure(second, into: registry, code: .duplicateTask, mentions: [
            canonical(second), "a plugin named 'loader_cases' is already loaded from \(canonical(first))", "unique",
        ])
        #expect(registry.tasks.map(\.name) == ["lc.inc", "lc.twice"])
        #expect(throws: ChorusError(.unknownTask, "")) { try registry.task(named: "images.resize") }
    }
}
