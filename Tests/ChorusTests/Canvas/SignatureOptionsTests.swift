import OrderedCollections
import Testing
@testable import Chorus

/// `SignatureOptions` keeps Celery's dict exactly (order, nulls, unknown
/// keys) while finding the options Chorus knows by code.
@Suite struct SignatureOptionsTests {
    @Test func keepsOrderNullsAndUnknownKeysThroughDecodeAndEncode() throws {
        let text = #"{"x-b":1,"root_id":null,"countdown":2.5,"task_id":"t","headers":{"k":"v"},"x-a":[true]}"#
        let options = try SignatureOptions(validating: JSON(parsing: text), path: "options")
        #expect(JSON.object(options.values).serialized() == text)
        #expect(options.rootId == nil)
        #expect(options["root_id"] == .null)
        #expect(options.taskId == "t")
        #expect(options.countdown == 2.5)
        #expect(options["x-a"] == [true])
    }

    @Test func writesFollowOrderedDictionaryRules() {
        var options: SignatureOptions = ["queue": "q", "x-custom": 1, "task_id": "a"]
        options.queue = "r"            // replaced in place
        options["x-custom"] = nil      // removed
        options.rootId = "root"        // appended
        options["x-later"] = "z"       // unknown, appended
        options.taskId = "b"           // known, set through its name's code
        var expected = OrderedDictionary<String, JSON>()
        expected["queue"] = "r"
        expected["task_id"] = "b"
        expected["root_id"] = "root"
        expected["x-later"] = "z"
        #expect(options.values == expected)
        #expect(options == SignatureOptions(expected))
        #expect(options["task_id"] == "b")
    }

    @Test func typedAndNamedAccessAgree() {
        var byName = SignatureOptions()
        byName["group_index"] = 3
        byName["parent_id"] = "p"
        var typed = SignatureOptions()
        typed.groupIndex = 3
        typed.parentId = "p"
        #expect(byName == typed)
        #expect(byName.hashValue == typed.hashValue)
        #expect(typed["group_index"] == 3)
    }

    @Test func orderMattersForEquality() {
        let ab: SignatureOptions = ["a": 1, "b": 2]
        let ba: SignatureOptions = ["b": 2, "a": 1]
        #expect(ab != ba)
    }

    @Test func mergeKeepsStickyOptionsAndAppendsNewOnes() {
        let stored: SignatureOptions = ["group_id": "g", "stamped_headers": ["mark"], "mark": "old", "queue": "q"]
        let merged = stored.merging(["group_id": "other", "mark": "new", "queue": "r", "x-new": 1])
        #expect(JSON.object(merged.values).serialized()
            == #"{"group_id":"g","stamped_headers":["mark"],"mark":"old","queue":"r","x-new":1}"#)
    }

    @Test func everyKnownNameMapsToItsCode() {
        for code in OptionName.allCases {
            #expect(OptionName(code.name) == code)
        }
        #expect(OptionName("x-custom") == nil)
    }
}
