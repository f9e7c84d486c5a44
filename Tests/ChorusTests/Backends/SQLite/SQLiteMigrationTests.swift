import Foundation
import Testing

@testable import Chorus

/// A database written by an older Chorus opens with its queue, leases and
/// history intact, migrated forward.
@Suite struct SQLiteMigrationTests {
    let dir = TemporaryDirectory()

    /// Schema version 1 as the first Chorus wrote it, with some rows.
    func makeVersion1() throws {
        try SQLiteFixtures.rawSQL(dir.database, "PRAGMA journal_mode = WAL;")
        try SQLiteFixtures.rawSQL(dir.database, SQLiteBackend.migrations[0])
        try SQLiteFixtures.rawSQL(dir.database, "PRAGMA user_version = 1; PRAGMA application_id = \(SQLiteBackend.applicationID);")
    }

    @Test func version1QueuesLeasesAndAttemptsSurvive() throws {
        try makeVersion1()
        let clock = ManualClock()
        let headers = { (id: String) in SQLiteFixtures.message(id).headers.json.serialized() }
        let body = SQLiteFixtures.message("x").bodyText
        for (id, extra) in [("first", "0, NULL"), ("leased", "1, 'old-uuid-tag'"), ("second", "0, NULL")] {
            let parts = extra.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            try SQLiteFixtures.rawSQL(dir.database, """
                INSERT INTO messages (queue, task_id, task_name, headers, body, status, visible_at, published_at, delivery_count, lease_tag)
                VALUES ('q', '\(id)', 'proj.add', '\(headers(id))', '\(body)', \(parts[0]), 0, 0, \(parts[0]), \(parts[1]));
                """)
        }
        try SQLiteFixtures.rawSQL(dir.database, """
            INSERT INTO attempts (task_id, attempt, task_name, root_id, state, expires_at) VALUES ('a', 1, 'proj.add', 'r', 'SUCCESS', 9000000000000000);
            INSERT INTO attempts (task_id, attempt, task_name, root_id, state, expires_at) VALUES ('b', 1, 'proj.add', 'r', 'FAILURE', 9000000000000000);
            """)

        let backend = try SQLiteBackend(path: dir.database, clock: clock)
        let raw = try SQLiteFixtures.rawConnection(dir.database)
        #expect(try raw.queryFirst("PRAGMA user_version") { $0.int(0) } == SQLiteBackend.schemaVersion)
        // The lease tag is no longer indexed, and no table counts row ids in sqlite_sequence any more.
        let indexes = try raw.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages'") { $0.text(0) }
        #expect(indexes == ["messages_claim"])
        let sequenced = try raw.query("SELECT name FROM sqlite_sequence ORDER BY name") { $0.text(0) }
        #expect(!sequenced.contains("messages") && !sequenced.contains("attempts"))
        // The queue keeps its order and its lapsed lease comes first; the history its order.
        let ids = try (0..<3).map { _ in try backend.claim(from: ["q"], mode: .removeOnClaim, timeout: 0)?.message.id }
        #expect(ids == ["leased", "first", "second"])
        #expect(try backend.attempts(forRoot: "r").map(\.taskID) == ["a", "b"])
        try backend.recordAttempt(AttemptRecord(taskID: "c", taskName: "proj.add", rootID: "r", attempt: 1, state: .started))
        #expect(try backend.attempts(forRoot: "r").map(\.taskID) == ["a", "b", "c"])
    }

    /// Schema version 2, as Chorus wrote it before the expiry indexes went.
    func makeVersion2() throws {
        try SQLiteFixtures.rawSQL(dir.database, "PRAGMA journal_mode = WAL;")
        try SQLiteFixtures.rawSQL(dir.database, SQLiteBackend.migrations[0])
        try SQLiteFixtures.rawSQL(dir.database, SQLiteBackend.migrations[1])
        try SQLiteFixtures.rawSQL(dir.database, "PRAGMA user_version = 2; PRAGMA application_id = \(SQLiteBackend.applicationID);")
    }

    @Test func version2HistoryAndRetentionSurvive() throws {
        try makeVersion2()
        let clock = ManualClock()
        let day: Int64 = 86_400_000_000
        let start = clock.now
        let now = SQLiteBackend.micros(start)
        // Results last written an hour ago and now; attempts of a workflow whose root is "a".
        for (id, written) in [("old", now - day / 24), ("new", now)] {
            try SQLiteFixtures.rawSQL(dir.database, """
                INSERT INTO results (task_id, state, result, children, retries, updated_at, expires_at)
                VALUES ('\(id)', 'SUCCESS', '1', '[]', 0, \(written), \(written + day));
                """)
        }
        for (id, attempt) in [("a", 1), ("b", 1), ("a", 2)] {
            try SQLiteFixtures.rawSQL(dir.database, """
                INSERT INTO attempts (task_id, attempt, task_name, root_id, state, expires_at)
                VALUES ('\(id)', \(attempt), 'proj.add', 'a', 'SUCCESS', \(now + 7 * day));
                """)
        }

        // A chord of three with two parts counted, the later index first.
        try SQLiteFixtures.rawSQL(dir.database, """
            INSERT INTO chords (group_id, size, expires_at) VALUES ('g', 3, \(now + day));
            INSERT INTO chord_parts (group_id, task_id, group_index, state, result) VALUES ('g', 't2', 2, 'SUCCESS', '2');
            INSERT INTO chord_parts (group_id, task_id, group_index, state, result) VALUES ('g', 't0', 0, 'SUCCESS', '0');
            """)

        let backend = try SQLiteBackend(path: dir.database, clock: clock)
        let raw = try SQLiteFixtures.rawConnection(dir.database)
        #expect(try raw.queryFirst("PRAGMA user_version") { $0.int(0) } == SQLiteBackend.schemaVersion)
        let indexes = try raw.query(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name") { $0.text(0) }
        #expect(indexes == ["attempts_root", "messages_claim", "results_root"])
        #expect(try raw.query("SELECT name FROM sqlite_sequence") { $0.text(0) }.isEmpty)
        // The chord goes on counting where it was.
        #expect(try backend.recordChordPart(ChordPart(taskID: "t0", groupIndex: 0, state: .success, result: 0), forGroup: "g")
            == .duplicate(ready: 2, size: 3))
        let done = try backend.recordChordPart(ChordPart(taskID: "t1", groupIndex: 1, state: .success, result: 1), forGroup: "g")
        #expect(done.completedParts?.map(\.taskID) == ["t0", "t1", "t2"])
        // The history keeps its order, the root's own attempts included.
        #expect(try backend.attempts(forRoot: "a").map { "\($0.taskID)#\($0.attempt)" } == ["a#1", "b#1", "a#2"])
        clock.advance(by: 1)
        try backend.recordAttempt(AttemptRecord(taskID: "c", taskName: "proj.add", rootID: "a", attempt: 1, state: .started))
        #expect(try backend.attempts(forRoot: "a").map(\.taskID) == ["a", "b", "a", "c"])
        // Old rows expire when they did before.
        #expect(try backend.purgeExpired(now: start.addingTimeInterval(86_400 - 3_601)).results == 0)
        #expect(try backend.purgeExpired(now: start.addingTimeInterval(86_400 - 3_600)).results == 1)
        #expect(try backend.result(for: "new") != nil)
        let day1 = try backend.purgeExpired(now: start.addingTimeInterval(86_400))
        #expect(day1.results == 1 && day1.chords == 1)
        #expect(try backend.purgeExpired(now: start.addingTimeInterval(7 * 86_400 - 1)).attempts == 0)
        #expect(try backend.purgeExpired(now: start.addingTimeInterval(7 * 86_400)).attempts == 3)
        #expect(try backend.attempts(forRoot: "a").map(\.taskID) == ["c"])
    }

    /// Schema version 3, as Chorus wrote it before a task's latest attempt
    /// moved into its result row.
    func makeVersion3() throws {
        try SQLiteFixtures.rawSQL(dir.database, "PRAGMA journal_mode = WAL;")
        for migration in SQLiteBackend.migrations[0..<3] { try SQLiteFixtures.rawSQL(dir.database, migration) }
        try SQLiteFixtures.rawSQL(dir.database, "PRAGMA user_version = 3; PRAGMA application_id = \(SQLiteBackend.applicationID);")
    }

    @Test func version3ResultsAndHistorySurviveAndARetryInProgressGoesOn() throws {
        try makeVersion3()
        let clock = ManualClock()
        let now = SQLiteBackend.micros(clock.now)
        let day: Int64 = 86_400_000_000
        // "t" retried once (its RETRY result and attempt 1 stored); "u" done.
        try SQLiteFixtures.rawSQL(dir.database, """
            INSERT INTO results (task_id, state, result, children, retries, updated_at, expires_at, created_at)
                VALUES ('t', 'RETRY', 'null', '[]', 0, \(now), \(now + day), \(now));
            INSERT INTO results (task_id, state, result, children, retries, updated_at, expires_at, created_at)
                VALUES ('u', 'SUCCESS', '7', '[]', 0, \(now), \(now + day), \(now));
            INSERT INTO attempts (task_id, attempt, task_name, root_id, state, expires_at, created_at)
                VALUES ('t', 1, 'proj.add', 't', 'RETRY', \(now + 7 * day), \(now));
            INSERT INTO attempts (task_id, attempt, task_name, root_id, state, expires_at, created_at)
                VALUES ('u', 1, 'proj.add', 't', 'SUCCESS', \(now + 7 * day), \(now));
            """)
        let backend = try SQLiteBackend(path: dir.database, clock: clock)
        let raw = try SQLiteFixtures.rawConnection(dir.database)
        #expect(try raw.queryFirst("PRAGMA user_version") { $0.int(0) } == SQLiteBackend.schemaVersion)
        #expect(try backend.result(for: "u")?.result == 7)
        #expect(try backend.result(for: "t")?.state == .retry)
        #expect(try backend.attempts(forRoot: "t").map { "\($0.taskID)#\($0.attempt):\($0.state)" } == ["t#1:RETRY", "u#1:SUCCESS"])
        // The retry runs: its attempt goes last, the earlier one keeps its place.
        try backend.record(
            AttemptRecord(taskID: "t", taskName: "proj.add", rootID: "t", attempt: 2, state: .started),
            storing: ResultMeta(taskID: "t", state: .started, retries: 1))
        try backend.record(
            AttemptRecord(taskID: "t", taskName: "proj.add", rootID: "t", attempt: 2, state: .success),
            storing: ResultMeta(taskID: "t", state: .success, result: 3, retries: 1))
        #expect(try backend.result(for: "t")?.result == 3)
        #expect(try backend.attempts(forTask: "t").map { "\($0.attempt):\($0.state)" } == ["1:RETRY", "2:SUCCESS"])
        #expect(try backend.attempts(forRoot: "t").map { "\($0.taskID)#\($0.attempt)" } == ["t#1", "u#1", "t#2"])
    }
}
