import Testing
@testable import Chorus

/// Strict conversion of JSON arguments to C types: every rejection names the
/// task, the parameter, the expected type and what was given.
@Suite struct ArgumentConversionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var task: String
        var value: JSON
        var mentions: [String]
        var testDescription: String { "\(task)(\(value))" }
    }

    static let cases: [Case] = [
        Case(task: "echo_int64", value: 1.5, mentions: ["expected int64", "got number 1.5"]),
        Case(task: "echo_int64", value: try! JSON(parsing: "1.0"), mentions: ["expected int64", "got number 1"]),
        Case(task: "echo_int32", value: 1.0, mentions: ["expected int32", "got number"]),
        Case(task: "echo_uint64", value: 2.0, mentions: ["expected uint64", "got number"]),
        Case(task: "echo_int32", value: .int(Int64(Int32.max) + 1), mentions: ["expected int32", "2147483648", "out of range for int32"]),
        Case(task: "echo_int32", value: .int(Int64(Int32.min) - 1), mentions: ["expected int32", "-2147483649", "out of range for int32"]),
        Case(task: "echo_int32", value: .uint(UInt64.max), mentions: ["expected int32", "18446744073709551615", "out of range for int32"]),
        Case(task: "echo_int64", value: .uint(UInt64(Int64.max) + 1), mentions: ["expected int64", "9223372036854775808", "out of range for int64"]),
        Case(task: "echo_uint64", value: -1, mentions: ["expected uint64", "got -1", "out of range for uint64"]),
        Case(task: "echo_uint64", value: .int(.min), mentions: ["expected uint64", "-9223372036854775808"]),
        Case(task: "echo_double", value: .int((1 << 53) + 1), mentions: ["expected double", "9007199254740993", "2^53"]),
        Case(task: "echo_double", value: .int(-(1 << 53) - 1), mentions: ["expected double", "-9007199254740993", "2^53"]),
        Case(task: "echo_double", value: .uint(UInt64.max), mentions: ["expected double", "18446744073709551615", "2^53"]),
        Case(task: "echo_double", value: "1.5", mentions: ["expected double", "got string \"1.5\""]),
        Case(task: "echo_bool", value: "true", mentions: ["expected bool", "got string \"true\""]),
        Case(task: "echo_bool", value: 1, mentions: ["expected bool", "got integer 1"]),
        Case(task: "echo_string", value: "a\u{0}b", mentions: ["expected string", "NUL"]),
        Case(task: "echo_string", value: 5, mentions: ["expected string", "got integer 5"]),
        Case(task: "echo_string", value: nil, mentions: ["expected string", "got null"]),
        Case(task: "echo_bytes", value: ["base64": "not base64!"], mentions: ["expected bytes", "invalid base64"]),
        Case(task: "echo_bytes", value: ["base64": 5], mentions: ["expected bytes", "got object"]),
        Case(task: "echo_bytes", value: 5, mentions: ["expected bytes", "got integer 5", "{\"base64\""]),
        Case(task: "echo_int64", value: nil, mentions: ["expected int64", "got null"]),
        Case(task: "echo_int64", value: "5", mentions: ["expected int64", "got string \"5\""]),
        Case(task: "echo_int64", value: [5], mentions: ["expected int64", "got array [5]"]),
    ]

    @Test(arguments: cases)
    func rejects(_ c: Case) {
        InvocationFixture.expectBadArguments(c.task, [c.value], in: InvokerTypesTests.registry, mentions: ["\(c.task): argument v: "] + c.mentions)
    }

    @Test func rejectsByKeywordToo() {
        InvocationFixture.expectBadArguments("add", [1], kwargs: ["y": 2.5], in: InvokerTypesTests.registry, mentions: ["add: argument y: expected int64, got number 2.5"])
    }

    @Test func boundTasksConvertTheSameWay() {
        InvocationFixture.expectBadArguments("bound_int32", [.int(1 << 31)], mentions: ["bound_int32: argument v: expected int32", "out of range"])
        InvocationFixture.expectBadArguments("bound_string", ["x\u{0}"], mentions: ["bound_string: argument v: expected string", "NUL"])
    }
}
