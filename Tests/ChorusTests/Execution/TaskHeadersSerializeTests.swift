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
}
