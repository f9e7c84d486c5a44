import Testing
@testable import Chorus

/// The one-line syntax: every error, with its 1-based character column.
@Suite struct CanvasParserErrorTests {
    static let cases: [(String, String)] = [
        ("", "column 1: expected a task, group(...), chain(...), chord(...) or '(', got end of input"),
        ("a() |", "column 6: expected a task, group(...), chain(...), chord(...) or '(', got end of input"),
        ("add(1) | %x()", "column 10: expected a task, group(...), chain(...), chord(...) or '(', got '%'"),
        ("add(1, 2", "column 9: expected ',' or ')' after an argument, got end of input"),
        ("add(1) \u{1}", "column 8: unexpected U+0001 after the canvas"),
        ("add 1", #"column 5: expected '(' after task name "add", got '1'"#),
        ("add(x)", "column 5: expected a JSON value, got x (strings need double quotes)"),
        (#"add("é", x)"#, "column 10: expected a JSON value, got x (strings need double quotes)"),
        ("add(y=1, 2)", "column 10: positional argument after keyword arguments"),
        ("add(y=1, y=2)", #"column 10: duplicate keyword argument "y""#),
        ("add(1) mul(2)", "column 8: unexpected 'm' after the canvas"),
        ("add(1) )", "column 8: unexpected ')' after the canvas"),
        ("chord(a(), b())", "column 1: chord(...) needs a body: write chord(...) | body(...) or chord(..., body=body(...))"),
        ("x() | chord(a())", "column 7: chord(...) needs a body: write chord(...) | body(...) or chord(..., body=body(...))"),
        ("chord(body=s(), a())", "column 17: body= must be the last argument of chord(...)"),
        ("chord(a()).on_success(x()) | s()", "column 11: give the chord its body before .on_success(...)"),
        ("add(1).then(x())", "column 7: unknown suffix .then; expected .on_success(...) or .on_error(...)"),
        ("add(1).on_error x()", "column 17: expected '(' after .on_error, got 'x'"),
        ("group().on_success(x())", "column 8: cannot link a callback to an empty group; use a chord: group(...) | callback"),
        ("si:(a())", "column 4: expected a task name after si:"),
        ("group(x=1)", #"column 8: expected '(' after task name "x", got '='"#),
        ("group(a() b())", "column 11: expected ',' or ')' after a member of group(...), got 'b'"),
        ("(a() | b()", "column 11: expected ')' after the parenthesised canvas, got end of input"),
        ("add([1,)", "column 8: invalid value: unexpected character ')', expected a value"),
        (#"add("abc)"#, "column 5: invalid value: unterminated string"),
        ("add(01)", "column 5: invalid value: invalid number: leading zero"),
    ]

    @Test(arguments: cases)
    func reportsTheColumn(_ input: String, _ expected: String) {
        let message = errorMessage { _ = try Canvas(parsing: input) }
        #expect(message == "invalid canvas at " + expected)
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "(", count: 300) + "a()" + String(repeating: ")", count: 300)
        #expect(errorMessage { _ = try Canvas(parsing: deep) } == "invalid canvas at column 201: canvas nested deeper than 200 levels")
    }

    @Test func errorsAreInvalidInput() {
        #expect(throws: ChorusError(.invalidInput, "")) { try Canvas(parsing: "add(") }
    }
}
