import Foundation
import Testing
@testable import Chorus

/// Paths the loader refuses, and what it tells the user to do about them.
/// Each test works on copies in its own directory, so changing modes and
/// owners never touches a library another test loads.
@Suite struct PluginPathTests {
    static func plugin() throws -> String { try LoaderFixtures.helperOne.get() }

    @Test func anEmptyPath() {
        expectLoadFailure("", code: .pluginLoad, mentions: ["plugin path is empty"])
    }

    @Test func aMissingFile() {
        let path = canonical(Scratch.directory()) + "/missing.so"
        expectLoadFailure(path, code: .pluginLoad, mentions: [path, "No such file or directory", "--plugin", "CHORUS_PLUGIN_PATH"])
    }

    @Test func aDirectory() {
        let directory = canonical(Scratch.directory())
        expectLoadFailure(directory, code: .unsafePlugin, mentions: [directory, "not a regular file", "shared library"])
    }

    @Test(arguments: [0o775, 0o757, 0o777] as [mode_t])
    func aFileWritableByGroupOrOthers(mode: mode_t) throws {
        let path = canonical(try Scratch.copy(try Self.plugin(), into: Scratch.directory(), as: "p.so", mode: mode))
        let registry = TaskRegistry()
        expectLoadFailure(path, into: registry, code: .unsafePlugin, mentions: [
            "refusing plugin \(path)", "the file is writable by group or others", "0\(String(mode, radix: 8))", "chmod go-w \(path)",
        ])
        #expect(registry.plugins.isEmpty)
    }

    @Test(arguments: [0o770, 0o707, 0o1777] as [mode_t])
    func aFileInADirectoryWritableByGroupOrOthers(mode: mode_t) throws {
        let directory = canonical(Scratch.directory())
        let path = try Scratch.copy(try Self.plugin(), into: directory, as: "p.so")
        #expect(chmod(directory, mode) == 0)
        expectLoadFailure(path, code: .unsafePlugin, mentions: [
            "refusing plugin \(path)", "its directory \(directory) is writable by group or others",
            "0\(String(mode, radix: 8))", "chmod go-w \(directory)",
        ])
    }

    @Test(arguments: [0o4755, 0o2755] as [mode_t])
    func aSetuidOrSetgidFile(mode: mode_t) throws {
        let path = canonical(try Scratch.copy(try Self.plugin(), into: Scratch.directory(), as: "p.so", mode: mode))
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o7777 == mode)
        expectLoadFailure(path, code: .unsafePlugin, mentions: ["refusing plugin \(path)", "setuid or setgid", "chmod ug-s \(path)"])
    }

    @Test func aFileOwnedByAnotherUser() throws {
        let path = canonical(try Scratch.copy(try Self.plugin(), into: Scratch.directory(), as: "p.so"))
        // Changing the owner needs root (the test machines run as root); as
        // another user chown fails and there is nothing to test.
        guard chown(path, 12345, getegid()) == 0 else {
            withKnownIssue("chown needs root; cannot create a file owned by another user") { throw POSIXError(.EPERM) }
            return
        }
        expectLoadFailure(path, code: .unsafePlugin, mentions: [
            "refusing plugin \(path)", "the file is owned by uid 12345", "chown \(geteuid()) \(path)",
        ])
    }

    @Test func aDirectoryOwnedByAnotherUser() throws {
        let directory = canonical(Scratch.directory())
        let path = try Scratch.copy(try Self.plugin(), into: directory, as: "p.so")
        guard chown(directory, 12345, getegid()) == 0 else {
            withKnownIssue("chown needs root; cannot create a directory owned by another user") { throw POSIXError(.EPERM) }
            return
        }
        expectLoadFailure(path, code: .unsafePlugin, mentions: [
            "refusing plugin \(path)", "its directory \(directory) is owned by uid 12345", "chown \(geteuid()) \(directory)",
        ])
    }
}

extension PluginPathTests {
    @Test func aFileThatIsNotASharedLibrary() throws {
        let path = canonical(Scratch.directory()) + "/text.so"
        try "not a library\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(chmod(path, 0o644) == 0)
        expectLoadFailure(path, code: .pluginLoad, mentions: ["plugin \(path): cannot load:", "text.so"])
    }
}
