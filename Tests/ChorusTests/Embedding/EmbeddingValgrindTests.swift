import Foundation
import Testing

/// One small valgrind run of the C example: create, load, apply, wait and
/// destroy with no invalid reads or writes and no leaks. The suppression file
/// covers only the Swift runtime's own metadata caches (see its comments).
@Suite struct EmbeddingValgrindTests {
    @Test func theChordExampleIsValgrindClean() throws {
        let valgrind = try ProcessRunner.run("/usr/bin/env", ["sh", "-c", "command -v valgrind"])
        guard valgrind.status == 0 else {
            Issue.record("valgrind is not installed; install it (apt-get install valgrind) to run this test")
            return
        }
        let host = try InstalledChorus.compile(InstalledChorus.chordExample)
        let suppressions = InstalledChorus.fixture("swift-runtime.supp")
        let run = try InstalledChorus.run(valgrind.stdout.trimmingCharacters(in: .whitespacesAndNewlines), [
            "--error-exitcode=1", "--leak-check=full", "--suppressions=\(suppressions)", host, try InstalledChorus.pluginPath,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "chord([add(1, 2), add(3, 4)], tsum) = 10\n")
        #expect(run.stderr.contains("definitely lost: 0 bytes in 0 blocks") || run.stderr.contains("All heap blocks were freed"), "\(run.stderr)")
        #expect(run.stderr.contains("ERROR SUMMARY: 0 errors"), "\(run.stderr)")
    }
}
