import Testing
@testable import Chorus

/// Rendering back to the one-line syntax.
@Suite struct CanvasDescriptionTests {
    static let texts = [
        "add(1, 2)",
        #"images.resize("a.png", width=640)"#,
        "si:add(1, 2) | mul(10)",
        "group(add(1, 2), add(3, 4))",
        #"chord(a(1), b(x=2), body=total())"#,
        "chord(body=total())",
        "(a() | b()) | c()",
        "chain()",
        #"t([1,2], {"a":1}, true, null, 1.5)"#,
        "add(1).on_success(log()).on_error(alert())",
        "chord(group(a(), b()) | c(), chord(d(), body=e()), body=(f() | g()))",
    ]

    @Test(arguments: texts)
    func rendersAndReadsBack(_ text: String) throws {
        let parsed = try canvas(text)
        #expect(try canvas(parsed.description) == parsed)
    }

    @Test func rendersCanonically() throws {
        #expect(try canvas("chord(a(1),b(x = 2)) | total( )").description == "chord(a(1), b(x=2), body=total())")
        #expect(try canvas(#"t( [1, 2] , {"a" : 1} )"#).description == #"t([1,2], {"a":1})"#)
    }

    @Test func readsCeleryJSONToo() throws {
        let c = try Canvas(parsingJSON: #"{"task":"celery.group","kwargs":{"tasks":[{"task":"a","args":[1]}]},"subtask_type":"group"}"#)
        #expect(c.description == "group(a(1))")
        #expect(errorMessage { _ = try Canvas(parsingJSON: "{") }?.hasPrefix("invalid JSON at column 2") == true)
    }
}
