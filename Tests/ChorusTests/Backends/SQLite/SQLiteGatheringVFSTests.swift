import CSQLite
import Foundation
import Testing

@testable import Chorus

/// `GatheringVFS`: log frames gathered into one write per commit must read
/// back exactly as SQLite wrote them, from this connection and others, in
/// every write pattern SQLite uses (commits, spilled pages of a big
/// transaction, rollbacks, the log starting over, writes beyond one call's limit).
@Suite struct SQLiteGatheringVFSTests {
    let dir = TemporaryDirectory()

    private func open() throws -> SQLiteConnection {
        let connection = try SQLiteFixtures.rawConnection(dir.database)
        try connection.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
        return connection
    }

    private func count(_ connection: SQLiteConnection, _ sql: String) throws -> Int64 {
        do { return try connection.queryFirst(sql) { $0.int(0) } ?? -1 } catch { throw ChorusError(.backend, error.message) }
    }

    private func integrity(_ connection: SQLiteConnection) throws -> String {
        do { return try connection.queryFirst("PRAGMA integrity_check") { $0.text(0) } ?? "" } catch { throw ChorusError(.backend, error.message) }
    }

    @Test func theLogFileOfAConnectionIsGathered() throws {
        #expect(GatheringVFS.name != nil)
        let connection = try open()
        try connection.execute("CREATE TABLE t (v)")
        var log: UnsafeMutablePointer<sqlite3_file>?
        #expect(sqlite3_file_control(connection.handle, "main", SQLITE_FCNTL_JOURNAL_POINTER, &log) == SQLITE_OK)
        #expect(try GatheringVFS.gathers(#require(log)))
    }

    /// FULL syncs the log at every commit (and may pad it to a sector).
    @Test(arguments: ["NORMAL", "FULL"])
    func smallCommitsAreSeenAtOnceByAnotherConnection(synchronous: String) throws {
        let writer = try open()
        let reader = try open()
        try writer.execute("PRAGMA synchronous = \(synchronous); CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        for i in 1...200 {
            try writer.execute("INSERT INTO t (v) VALUES ('\(String(repeating: "v", count: i))')")
            #expect(try count(reader, "SELECT count(*) FROM t") == Int64(i))
        }
        #expect(try integrity(reader) == "ok")
    }

    /// Beyond one write call's limit (128 KiB) and the buffer's flush size.
    @Test func aTransactionOfManyMegabytesCommitsWhole() throws {
        let writer = try open()
        try writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        try writer.execute("""
            BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000)
            INSERT INTO t (v) SELECT printf('%.1000c', 'x') || i FROM n; COMMIT;
            """)
        let reader = try open()
        #expect(try count(reader, "SELECT count(*) FROM t") == 6000)
        #expect(try count(reader, "SELECT sum(length(v)) FROM t WHERE v LIKE 'x%'") > 6_000_000)
        #expect(try integrity(reader) == "ok")
    }

    /// A small page cache makes SQLite spill uncommitted pages into the log
    /// and, after a rollback, write over those frames again.
    @Test func spilledFramesOfARollbackAreOverwrittenCorrectly() throws {
        let writer = try open()
        try writer.execute("PRAGMA cache_size = 10; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        try writer.execute("INSERT INTO t (v) VALUES ('kept')")
        try writer.execute("""
            BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
            INSERT INTO t (v) SELECT printf('%.500c', 'r') FROM n;
            """)
        try writer.execute("ROLLBACK")
        try writer.execute("""
            BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
            INSERT INTO t (v) SELECT printf('%.300c', 'c') FROM n; UPDATE t SET v = 'still' WHERE v = 'kept'; COMMIT;
            """)
        let reader = try open()
        #expect(try count(reader, "SELECT count(*) FROM t") == 301)
        #expect(try count(reader, "SELECT count(*) FROM t WHERE v LIKE 'r%'") == 0)
        #expect(try count(reader, "SELECT count(*) FROM t WHERE v = 'still'") == 1)
        #expect(try integrity(reader) == "ok")
    }

    /// After a checkpoint the log starts over from its first frame, under a new header.
    @Test func theLogStartingOverKeepsEveryCommit() throws {
        let writer = try open()
        let reader = try open()
        try writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        for round in 0..<5 {
            for _ in 0..<50 { try writer.execute("INSERT INTO t (v) VALUES (printf('%.2000c', 'z'))") }
            try writer.execute("PRAGMA wal_checkpoint(RESTART)")
            #expect(try count(reader, "SELECT count(*) FROM t") == Int64(50 * (round + 1)))
        }
        #expect(try integrity(reader) == "ok")
    }
}
