import Foundation
import Testing
@testable import Chorus

/// The C embedding API, used as a C program uses it: compiled against the
/// installed header and library with pkg-config, run without LD_LIBRARY_PATH.
@Suite struct EmbeddingCHostTests {
    @Test func theInstallLayoutIsComplete() throws {
        let prefix = try InstalledChorus.prefix()
        for file in ["bin/chorus", "lib/libchorus.so", "lib/chorus/plugins/libchorus-examples.so", "include/chorus.h",
                     "lib/pkgconfig/chorus.pc", "lib/libswiftCore.so", "lib/libFoundation.so"] {
            #expect(FileManager.default.fileExists(atPath: "\(prefix)/\(file)"), "\(file) is not installed")
        }
        let flags = try InstalledChorus.pkgConfigFlags()
        #expect(flags.contains("-I\(prefix)/include"))
        #expect(flags.contains("-lchorus"))
        for binary in ["bin/chorus", "lib/libchorus.so"] {
            let ldd = try ProcessRunner.run("/usr/bin/env", ["ldd", "\(prefix)/\(binary)"], environment: InstalledChorus.environment())
            #expect(ldd.status == 0)
            #expect(!ldd.stdout.contains("not found"), "\(binary): \(ldd.stdout)")
        }
        // The installed CLI finds the installed plugins by itself (<bin>/../lib/chorus/plugins).
        let tasks = try InstalledChorus.run("\(prefix)/bin/chorus", ["tasks"])
        #expect(tasks.status == 0, "\(tasks.stderr)")
        #expect(tasks.stdout.contains("\(prefix)/lib/chorus/plugins/libchorus-examples.so"))
    }

    @Test func theChordExampleBuildsWithPkgConfigAndRuns() throws {
        let host = try InstalledChorus.compile(InstalledChorus.chordExample)
        let run = try InstalledChorus.run(host, [try InstalledChorus.pluginPath])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "chord([add(1, 2), add(3, 4)], tsum) = 10\n")
        #expect(run.stderr.isEmpty)
    }

    @Test func theChordExampleReportsALoadErrorWithItsStatus() throws {
        let host = try InstalledChorus.compile(InstalledChorus.chordExample)
        let run = try InstalledChorus.run(host, ["/nonexistent/libnothing.so"])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("chord: load plugin: CHORUS_E_ARGUMENT: chorus_runtime_load_plugin: plugin /nonexistent/libnothing.so"))
    }

    @Test func theChordExampleRunsOnTheDurableBackend() throws {
        let example = try InstalledChorus.compile(InstalledChorus.chordExample)
        let database = PluginBuilder.makePrivateDirectory(prefix: "chorus-embed-db") + "/chorus.db"
        let run = try InstalledChorus.run(example, [try InstalledChorus.pluginPath, database])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("= 10"))
        // The attempts are in the database, where `chorus history` and workers see them.
        let backend = try SQLiteBackend(path: database)
        #expect(try backend.inspect().queues.allSatisfy { $0.queued == 0 })
    }

    @Test func everyErrorPathReturnsItsDocumentedStatusAndMessage() throws {
        let host = try InstalledChorus.compile(InstalledChorus.fixture("errors.c"), extra: ["-lm"])
        let run = try InstalledChorus.run(host, [try InstalledChorus.pluginPath])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.hasSuffix("checks passed\n"), "\(run.stdout)")
    }

    @Test func eightHostThreadsApplyWorkAtOnce() throws {
        let host = try InstalledChorus.compile(InstalledChorus.fixture("threads.c"), extra: ["-pthread"])
        let run = try InstalledChorus.run(host, [try InstalledChorus.pluginPath])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout == "ok 8 threads x 12 rounds\nok link 42\nok link_error boom\nok descriptor max_retries 3 runs\n")
    }
}
