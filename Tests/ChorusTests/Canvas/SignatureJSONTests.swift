import Testing
@testable import Chorus

/// Round trips against the dicts captured from Celery 5.7 (notes §1.1 and §6.5).
@Suite struct SignatureJSONTests {
    static let add = #"{"task":"proj.add","args":[1],"kwargs":{"y":2},"options":{"countdown":5},"subtask_type":null,"immutable":false}"#
    static let addSI = #"{"task":"proj.add","args":[1,2],"kwargs":{},"options":{},"subtask_type":null,"immutable":true}"#

    static let captured: [String] = [
        add, addSI,
        #"{"task":"celery.chain","args":[],"kwargs":{"tasks":[\#(add),\#(addSI)]},"options":{},"subtask_type":"chain","immutable":false}"#,
        #"{"task":"celery.group","args":[],"kwargs":{"tasks":[\#(add),\#(addSI)]},"options":{},"subtask_type":"group","immutable":false}"#,
        #"{"task":"celery.chord","args":[],"kwargs":{"kwargs":{},"header":[\#(add),\#(addSI)],"body":\#(addSI)},"options":{},"subtask_type":"chord","immutable":false}"#,
        // §6.5: a link callback and an errback as they travel in the embed.
        #"{"task":"proj.add","args":[10],"kwargs":{},"options":{"task_id":"22222222-0000-0000-0000-00000000000a"},"subtask_type":null,"immutable":false}"#,
        #"{"task":"proj.tsum","args":[],"kwargs":{},"options":{"task_id":"33333333-1111-0000-0000-0000000000cb"},"subtask_type":null,"immutable":true}"#,
        // §6.5: the chord body embedded in a header member.
        #"{"task":"proj.tsum","args":[],"kwargs":{},"options":{"task_id":"44444444-0000-0000-0000-0000000000b0","reply_to":"aa7807f6-345b-34b4-9617-64bfa84287a8","group_id":"f5e8ecfa-599f-46ed-87f3-7a56f1540b31"},"subtask_type":null,"immutable":false}"#,
        // §6.5: a frozen chord as a chain step, header as a full group dict.
        #"{"task":"celery.chord","args":[],"kwargs":{"kwargs":{},"header":{"task":"celery.group","args":[],"kwargs":{"tasks":[{"task":"proj.add","args":[1],"kwargs":{},"options":{"task_id":"h1","group_index":0},"subtask_type":null,"immutable":false},{"task":"proj.add","args":[2],"kwargs":{},"options":{"task_id":"h2","group_index":1},"subtask_type":null,"immutable":false}]},"options":{"task_id":"gid","root_id":null,"parent_id":null},"subtask_type":"group","immutable":false},"body":{"task":"proj.tsum","args":[],"kwargs":{},"options":{"task_id":"b"},"subtask_type":null,"immutable":false}},"options":{"task_id":"gid"},"subtask_type":"chord","immutable":false}"#,
        // Legacy top-level key survives.
        #"{"task":"proj.tsum","args":[],"kwargs":{},"options":{},"subtask_type":null,"immutable":false,"chord_size":3}"#,
    ]

    @Test(arguments: captured)
    func roundTripsThroughSignature(_ text: String) throws {
        #expect(try Signature(json: json(text)).json.serialized() == text)
    }

    @Test(arguments: captured)
    func roundTripsThroughCanvas(_ text: String) throws {
        #expect(try Canvas(json: json(text)).json.serialized() == text)
    }

    @Test func decodesTheStructure() throws {
        let chord = try Canvas(json: json(Self.captured[8]))
        guard case .chord(let c) = chord else { Issue.record("not a chord"); return }
        #expect(c.header.options.taskId == "gid")
        #expect(c.header.tasks.count == 2)
        #expect(c.body.task?.options.taskId == "b")
        let add = try Signature(json: json(Self.add))
        #expect(add.options.countdown == 5)
        #expect(add.kwargs["y"] == 2)
        #expect(try Signature(json: json(Self.addSI)).immutable)
    }

    @Test func typedOptionsReadAndWrite() throws {
        var o = SignatureOptions()
        o.countdown = 60
        o.expires = .seconds(3600)
        o.priority = 5
        o.maxRetries = .unlimited
        o.retryBackoffFactor = 2
        o.queue = "celery"
        o["x-custom"] = ["a": 1]
        #expect(JSON.object(o.values).serialized()
            == #"{"countdown":60,"expires":3600,"priority":5,"max_retries":null,"retry_backoff":2,"queue":"celery","x-custom":{"a":1}}"#)
        #expect(o.maxRetries == .unlimited)
        o.maxRetries = .count(3)
        #expect(o.maxRetries == .count(3))
        #expect(SignatureOptions(["retry_backoff": true]).retryBackoffFactor == 1)
        #expect(SignatureOptions(["retry_backoff": 2.7]).retryBackoffFactor == 2)
        #expect(SignatureOptions(["retry_backoff": false]).retryBackoffFactor == 0)
        #expect(SignatureOptions(["expires": "2026-11-26T06:02:49+00:00"]).expires == .at("2026-11-26T06:02:49+00:00"))
        #expect(SignatureOptions(["link": try json(Self.addSI)]).link.count == 1)  // a single dict counts as a list of one
    }

    static let badInputs: [(String, String)] = [
        (#"[1]"#, "canvas: expected a signature object, got array"),
        (#"{"args":[]}"#, #"canvas: missing key "task""#),
        (#"{"task":7}"#, "canvas.task: expected a string, got integer"),
        (#"{"task":"a","args":"x"}"#, "canvas.args: expected an array, got string"),
        (#"{"task":"a","kwargs":[]}"#, "canvas.kwargs: expected an object, got array"),
        (#"{"task":"a","immutable":1}"#, "canvas.immutable: expected a boolean, got integer"),
        (#"{"task":"a","subtask_type":3}"#, "canvas.subtask_type: expected a string or null, got integer"),
        (#"{"task":"a","options":{"countdown":"soon"}}"#, "canvas.options.countdown: expected a number, got string"),
        (#"{"task":"a","options":{"group_index":1.5}}"#, "canvas.options.group_index: expected an integer, got number"),
        (#"{"task":"a","options":{"link":[{"task":"b","args":{}}]}}"#, "canvas.options.link[0].args: expected an array, got object"),
        (#"{"task":"a","options":{"chain":{"task":"b"}}}"#, "canvas.options.chain: expected an array of signature objects, got object"),
        (#"{"task":"celery.group","kwargs":{"tasks":[{"task":"a"},{"task":"b"},{"task":"c","args":"x"}]},"subtask_type":"group"}"#,
         "canvas.kwargs.tasks[2].args: expected an array, got string"),
        (#"{"task":"celery.chain","kwargs":{},"subtask_type":"chain"}"#, #"canvas.kwargs: missing key "tasks""#),
        (#"{"task":"celery.chord","kwargs":{"header":[],"body":{"task":"b","options":{"queue":1}}},"subtask_type":"chord"}"#,
         "canvas.kwargs.body.options.queue: expected a string, got integer"),
        (#"{"task":"celery.chord","kwargs":{"header":{"task":"x"},"body":{"task":"b"}},"subtask_type":"chord"}"#,
         "canvas.kwargs.header: expected a list or a group signature, got another signature"),
        (#"{"task":"celery.chord","kwargs":{"header":{"task":"celery.group","kwargs":{"tasks":[5]},"subtask_type":"group"},"body":{"task":"b"}},"subtask_type":"chord"}"#,
         "canvas.kwargs.header.kwargs.tasks[0]: expected a signature object, got integer"),
        (#"{"task":"celery.chord","kwargs":{"header":[]},"subtask_type":"chord"}"#, #"canvas.kwargs: missing key "body""#),
        (#"{"task":"celery.chord","kwargs":{"header":[],"body":{"task":"b"},"extra":1},"subtask_type":"chord"}"#,
         "canvas.kwargs.extra: unexpected key in a chord signature"),
    ]

    @Test(arguments: badInputs)
    func rejectsMalformedSignaturesWithTheirPath(_ input: String, _ message: String) throws {
        let value = try json(input)
        #expect(errorMessage { _ = try Signature(json: value) } == message)
        #expect(errorMessage { _ = try Canvas(json: value) } == message)
    }

    @Test func reportsJSONSyntaxErrorsWithTheirColumn() {
        let message = errorMessage { _ = try Signature(parsing: #"{"task": }"#) }
        #expect(message?.hasPrefix("invalid JSON at column 10") == true)
    }
}
