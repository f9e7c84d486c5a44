import Foundation
import Testing

@testable import Chorus

/// Round trips against the Celery 5.7 envelopes captured in celery-semantics.md §6.5 and §4.3.
@Suite struct TaskMessageTests {
    static let singleTaskHeaders = #"{"lang":"py","task":"proj.add","id":"11111111-0000-0000-0000-000000000001","shadow":null,"eta":null,"expires":null,"group":null,"group_index":null,"retries":0,"timelimit":[null,null],"root_id":"11111111-0000-0000-0000-000000000001","parent_id":null,"argsrepr":"(2, 3)","kwargsrepr":"{}","origin":"gen11456@vm","ignore_result":false,"replaced_task_nesting":0,"stamped_headers":null,"stamps":{}}"#
    static let singleTaskBody = #"[[2,3],{},{"callbacks":null,"errbacks":null,"chain":null,"chord":null}]"#
    static let retriedHeaders = #"{"lang":"py","task":"proj.flaky","id":"cccccccc-0000-0000-0000-000000000001","shadow":null,"eta":"2026-11-26T05:04:13.280988+00:00","expires":null,"group":null,"group_index":null,"retries":1,"timelimit":[null,null],"root_id":"cccccccc-0000-0000-0000-000000000001","parent_id":"cccccccc-0000-0000-0000-000000000001","argsrepr":"(1,)","kwargsrepr":"{}","origin":"gen15221@vm","ignore_result":false,"replaced_task_nesting":0,"stamped_headers":null,"stamps":{}}"#
    static let linkBody = #"[[2,3],{},{"callbacks":[{"task":"proj.add","args":[10],"kwargs":{},"options":{"task_id":"22222222-0000-0000-0000-00000000000a"},"subtask_type":null,"immutable":false}],"errbacks":[{"task":"proj.on_err","args":[],"kwargs":{},"options":{"task_id":"22222222-0000-0000-0000-00000000000e"},"subtask_type":null,"immutable":false}],"chain":null,"chord":null}]"#
    static let chordMemberBody = #"[[1,1],{},{"callbacks":null,"errbacks":null,"chain":null,"chord":{"task":"proj.tsum","args":[],"kwargs":{},"options":{"task_id":"44444444-0000-0000-0000-0000000000b0","reply_to":"aa7807f6-345b-34b4-9617-64bfa84287a8","group_id":"f5e8ecfa-599f-46ed-87f3-7a56f1540b31"},"subtask_type":null,"immutable":false}}]"#
    static let chainBody = #"[[1,2],{},{"callbacks":null,"errbacks":null,"chord":null,"chain":[{"task":"proj.add","args":[10,10],"kwargs":{},"options":{"task_id":"55555555-0000-0000-0000-000000000003","reply_to":"r"},"subtask_type":null,"immutable":true},{"task":"proj.add","args":[3],"kwargs":{},"options":{"task_id":"55555555-0000-0000-0000-000000000002","reply_to":"r"},"subtask_type":null,"immutable":false}]}]"#

    func message(_ headers: String, _ body: String) throws -> TaskMessage {
        try TaskMessage(headers: JSON(parsing: headers), bodyText: body)
    }

    @Test func singleTaskRoundTripsExactly() throws {
        let m = try message(Self.singleTaskHeaders, Self.singleTaskBody)
        #expect(m.taskName == "proj.add" && m.id == "11111111-0000-0000-0000-000000000001")
        #expect(m.headers.rootID == m.id && m.headers.parentID == nil && m.headers.retries == 0)
        #expect(m.headers.timeLimit == TaskHeaders.TimeLimit() && m.headers.attempt == nil)
        #expect(m.headers.effectiveAttempt == 1)
        #expect(m.args == [2, 3] && m.kwargs.isEmpty && m.embed == TaskEmbed())
        #expect(m.headers.json.serialized() == Self.singleTaskHeaders)
        #expect(m.bodyText == Self.singleTaskBody)
    }

    @Test func retriedMessageKeepsEtaToTheMicrosecond() throws {
        let m = try message(Self.retriedHeaders, Self.singleTaskBody)
        #expect(m.headers.retries == 1 && m.headers.parentID == m.id)
        #expect(m.headers.eta == CeleryDate.parse("2026-11-26T05:04:13.280988Z"))
        #expect(m.headers.json.serialized() == Self.retriedHeaders)
    }

    @Test func linkAndChordEmbedsRoundTripExactly() throws {
        let linked = try message(Self.singleTaskHeaders, Self.linkBody)
        #expect(linked.embed.callbacks?.first?["task"] == "proj.add")
        #expect(linked.embed.errbacks?.first?["task"] == "proj.on_err")
        #expect(linked.bodyText == Self.linkBody)
        let member = try message(Self.singleTaskHeaders, Self.chordMemberBody)
        #expect(member.embed.chord?["task"] == "proj.tsum")
        #expect(member.bodyText == Self.chordMemberBody)
    }

    @Test func chainStaysReversedAndRoundTripsByValue() throws {
        let m = try message(Self.singleTaskHeaders, Self.chainBody)
        let next = try #require(m.embed.chain?.last)
        #expect(next["options"]?["task_id"] == "55555555-0000-0000-0000-000000000002")
        // Celery wrote "chord" before "chain"; Chorus writes Celery's fixed order. Same value.
        let again = try message(Self.singleTaskHeaders, m.bodyText)
        #expect(again == m)
    }

    @Test func chorusAndCustomHeadersSurvive() throws {
        var headers = TaskHeaders(task: "proj.add", id: "x", eta: CeleryDate.parse("2026-11-26T05:03:49.101961+00:00"),
            group: "g", groupIndex: 2, retries: 3, timeLimit: .init(hard: 30, soft: 2.5), attempt: 5)
        headers.extra["redelivered"] = true
        headers.extra["tenant"] = "acme"
        let json = headers.json
        #expect(json["chorus_attempt"] == 5 && json["timelimit"] == [30, 2.5] && json["rootID"] == nil)
        #expect(json["eta"] == "2026-11-26T05:03:49.101961+00:00" && json["root_id"] == "x")
        #expect(try TaskHeaders(json: json) == headers)
    }

    @Test func malformedMessagesAreRejectedWithInvalidInput() throws {
        let headers = try JSON(parsing: Self.singleTaskHeaders)
        for body in ["[[1],[]]", #"{"args":[]}"#, #"[[1],{},{"chain":{}}]"#, "[[1"] {
            #expect(throws: ChorusError(.invalidInput, "")) { try TaskMessage(headers: headers, bodyText: body) }
        }
        #expect(throws: ChorusError(.invalidInput, "")) { try TaskHeaders(json: ["task": "t"]) }
        #expect(throws: ChorusError(.invalidInput, "")) { try TaskHeaders(json: ["task": "t", "id": "i", "retries": "1"]) }
        #expect(throws: ChorusError(.invalidInput, "")) { try TaskHeaders(json: ["task": "t", "id": "i", "eta": "soon"]) }
        // A two-element body (no embed) is accepted.
        #expect(try TaskMessage(headers: headers, bodyText: "[[1],{}]").args == [1])
    }
}

@Suite struct CeleryDateTests {
    @Test func formatsLikePythonIsoformat() {
        let date = Date(timeIntervalSince1970: 1_795_669_429.101961)
        #expect(CeleryDate.format(date) == "2026-11-26T05:03:49.101961+00:00")
        #expect(CeleryDate.format(Date(timeIntervalSince1970: 1_795_669_429)) == "2026-11-26T05:03:49+00:00")
        #expect(CeleryDate.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59+00:00")
        #expect(CeleryDate.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00+00:00")
    }

    @Test func parsesOffsetsFractionsAndNaiveTimes() throws {
        let utc = try #require(CeleryDate.parse("2026-11-26T05:03:49.101961+00:00"))
        #expect(CeleryDate.parse("2026-11-26T05:03:49.101961Z") == utc)
        #expect(CeleryDate.parse("2026-11-26T07:03:49.101961+02:00") == utc)
        #expect(CeleryDate.parse("2026-11-26T04:33:49.101961-0030") == utc)
        #expect(CeleryDate.parse("2026-11-26 05:03:49.101961") == utc)
        #expect(CeleryDate.parse("2026-11-26T05:03:49.1019612345Z") == utc)
        #expect(CeleryDate.format(try #require(CeleryDate.parse("2026-11-26T05:03:49.5Z"))) == "2026-11-26T05:03:49.500000+00:00")
        for bad in ["", "2026-11-26", "2026-13-01T00:00:00Z", "2026-11-26T05:03:49+0", "2026-11-26T05:03:49.Z", "2026-11-26T05:03:49Zjunk"] {
            #expect(CeleryDate.parse(bad) == nil, "\(bad)")
        }
    }
}
