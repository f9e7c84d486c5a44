import Foundation
import Testing

@testable import Chorus

/// `chorus inspect --check`: the full integrity check on demand (opening a
/// database only probes its structure).
@Suite struct InspectCheckTests {
    let dir = TemporaryDirectory()

    /// A closed database of `count` messages; returns its size in pages.
    func database(messages count: Int) throws -> Int {
        let backend = try SQLiteBackend(path: dir.database)
        for i in 0..<count { try backend.publish(SQLiteFixtures.message("m\(i)", args: [.string(String(repeating: "x", count: 200))]), to: "q") }
        backend.close()
        let size = try #require(try FileManager.default.attributesOfItem(atPath: dir.database)[.size] as? Int)
        return size / 4096
    }

    @Test func aHealthyDatabasePassesAndSaysSo() throws {
        _ = try database(messages: 50)
        let run = try ChorusBinary.run(["inspect", "--check", "--db", dir.database])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("integrity ok") && run.stdout.contains("queue q: 50 queued"), "\(run.stdout)")
        let json = try ChorusBinary.run(["inspect", "--check", "--json", "--db", dir.database])
        #expect(json.status == 0 && json.stdout.contains(#""integrity":"ok""#), "\(json.stdout)")
    }

    @Test func damageDeepInTheFileIsFoundOnlyWithCheck() throws {
        let pages = try database(messages: 600)
        let handle = try #require(FileHandle(forUpdatingAtPath: dir.database))
        try handle.seek(toOffset: UInt64((pages - 1) * 4096))  // the last page: a right-hand leaf
        try handle.write(contentsOf: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }))
        try handle.close()

        #expect(try ChorusBinary.run(["inspect", "--db", dir.database]).status == 0)
        let run = try ChorusBinary.run(["inspect", "--check", "--db", dir.database])
        #expect(run.status != 0)
        #expect(run.stderr.contains("corrupt") && run.stderr.contains("backup") && run.stderr.contains(dir.database), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    }
}
