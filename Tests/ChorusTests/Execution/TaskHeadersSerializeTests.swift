import Foundation
import Testing

@testable import Chorus

/// `TaskHeaders.serializedJSON()` writes exactly what `json.serialized()`
/// writes (the durable broker stores the former, readers parse either).
@Suite struct TaskHeadersSerializeTests {
    static let cases: [TaskHeaders] = {
        var all: [TaskHeaders] = [TaskHeaders(task: "noop", id: "55555555-0000-0000-0000-000000000001")]
        var full = TaskHeaders(
            task: "proj.add", id: "x", lang: "py", shadow: "shadowed \"name\"",
            eta: CeleryDate.parse("2026-11-26T05:03:49.101961+00:00"), expires: CeleryDate.parse("2026-11-27T00:00:00+00:00"),
            group: "g", groupIndex: 2, retries: 3, timeLimit: .init(hard: 30, soft: 2.5), rootID: "root", parentID: "parent",
            argsRepr: "(1, 'ü\\n')", kwargsRepr: "{}", origin: "gen1@host", ignoreResult: true, replacedTaskNesting: 1,
            stampedHeaders: ["a", "b"], stamps: ["a": 1, "b": ["x", .null]], attempt: 5)
        full.extra["redelivered"] = true
        full.extra["tenant"] = "acme\t\u{1}"
        all.append(full)
        // Extra keys that collide with written ones are left out, as `json` does;
        // `chorus_attempt` in extra is written only when `attempt` is not set.
        var colliding = TaskHeaders(task: "t", id: "i", timeLimit: .init(hard: nil, soft: 1e20))
        colliding.extra["task"] = "other"
        colliding.extra["chorus_attempt"] = 9
        colliding.extra["z"] = ["nested": [1.5, -2]]
        all.append(colliding)
        var collidingWithAttempt = colliding
        collidingWithAttempt.attempt = 2
        all.append(collidingWithAttempt)
        return all
    }()

    @Test(arguments: cases) func matchesTheJSONObjectsText(_ headers: TaskHeaders) throws {
        #expect(headers.serializedJSON() == headers.json.serialized())
    }

    @Test func readsBackToTheSameHeaders() throws {
        // Without colliding extras, the text reads back to equal headers.
        for headers in Self.cases.prefix(2) {
            #expect(try TaskHeaders(json: JSON(parsing: headers.serializedJSON())) == headers)
        }
    }

    /// Reading walks the object once: every known key lands in its field,
    /// anything else (near misses included) in `extra`, in order.
    @Test func unknownKeysAreKeptInOrderAndKnownOnesRead() throws {
        let text = #"{"zeta": 1, "task": "t", "ids": 2, "id": "i", "Task": 3, "retries": 4, "group_indexes": 5, "chorus_attempt": 6, "root_id": "r"}"#
        let headers = try TaskHeaders(json: JSON(parsing: text))
        #expect(headers.task == "t" && headers.id == "i" && headers.retries == 4 && headers.attempt == 6 && headers.rootID == "r")
        #expect(Array(headers.extra.keys) == ["zeta", "ids", "Task", "group_indexes"])
        #expect(headers.extra["Task"] == 3)
        // Every key written is read back into its field (none left in extra).
        for headers in Self.cases.prefix(2) {
            #expect(try TaskHeaders(json: JSON(parsing: headers.serializedJSON())).extra == headers.extra)
        }
        // The first bad key in reading order is the one reported.
        #expect {
            try TaskHeaders(json: JSON(parsing: #"{"retries": "x", "lang": 1, "task": "t", "id": "i"}"#))
        } throws: { error in
            (error as? ChorusError)?.message == "task message: header 'lang' must be a string, got integer"
        }
    }
}
