import Foundation
import Testing
@testable import Chorus

/// Every value type as parameter and return value, with negative and
/// extreme values, through unbound tasks (`types` fixture: `echo_<type>`) and
/// bound tasks (`invocation` fixture: `bound_<type>`, which check their
/// context before echoing).
@Suite struct ValueExtremesTests {
    static let allBytes = Data((0...255).map { UInt8($0) }).base64EncodedString()
    static let longString = String(repeating: "ünïcödé ✓ 🎉 ", count: 5_000)

    static let values: [(String, JSON)] = [
        ("bool", true), ("bool", false),
        ("int32", .int(Int64(Int32.min))), ("int32", .int(Int64(Int32.max))), ("int32", -1), ("int32", 0),
        ("int64", .int(.min)), ("int64", .int(.max)), ("int64", -1), ("int64", .int(Int64.min + 1)),
        ("uint64", 0), ("uint64", .int(.max)), ("uint64", .uint(UInt64(Int64.max) + 1)), ("uint64", .uint(.max)),
        ("double", .double(.greatestFiniteMagnitude)), ("double", .double(-.greatestFiniteMagnitude)),
        ("double", .double(.leastNonzeroMagnitude)), ("double", .double(-.leastNormalMagnitude)),
        ("double", .double(-2.5)), ("double", .double(0.1)),
        ("string", ""), ("string", "𝄞 emoji 🎉 and ümlauts"), 
        ("json", nil), ("json", -9_223_372_036_854_775_808), ("json", .uint(.max)), ("json", .double(-1.5e-300)),
        ("json", ["nested": [[[["deep": [1, -2, 3.5, "x", nil, false]]]]], "": [:] as JSON]),
        ("json", "line\nbreak \"quoted\" \\ ✓"),
        ("bytes", ["base64": .string(allBytes)]), ("bytes", ["base64": "AA=="]), ("bytes", ["base64": ""]),
    ]

    @Test(arguments: values)
    func unboundRoundTrip(type: String, value: JSON) throws {
        let outcome = try InvocationFixture.call("echo_\(type)", [value], in: InvokerTypesTests.registry)
        #expect(outcome == .success(value))
    }

    @Test(arguments: values)
    func boundRoundTrip(type: String, value: JSON) throws {
        let outcome = try InvocationFixture.call("bound_\(type)", [value], taskID: "bound-\(type)")
        #expect(outcome == .success(value))
    }

    @Test func boundTasksNoticeAForeignContext() throws {
        // The echo tasks only echo when task_id starts with "bound-": proof that
        // they read their own context from the first C argument.
        #expect(try InvocationFixture.call("bound_int64", [5], taskID: "other") == .success(7))
        #expect(try InvocationFixture.call("bound_string", ["x"], taskID: "other") == .success("dead"))
    }

    @Test func bytesGivenAsTextComeBackAsBase64() throws {
        #expect(try InvocationFixture.call("bound_bytes", ["é\u{0}x"]) == .success(["base64": "w6kAeA=="]))
    }

    @Test func aLongStringRoundTrips() throws {
        let value = JSON.string(Self.longString)
        #expect(try InvocationFixture.call("echo_string", [value], in: InvokerTypesTests.registry) == .success(value))
        #expect(try InvocationFixture.call("bound_string", [value]) == .success(value))
        #expect(try InvocationFixture.call("bound_json", [["s": value]]) == .success(["s": value]))
    }
}

extension ValueExtremesTests {
    @Test func nullAndEmptyResults() throws {
        #expect(try InvocationFixture.call("null_string") == .success(nil))
        #expect(try InvocationFixture.call("null_json") == .success(nil))
        #expect(try InvocationFixture.call("spaced_json") == .success([1, ["a": 2]]))
        #expect(try InvocationFixture.call("empty_bytes") == .success(["base64": ""]))
        let outcome = try InvocationFixture.call("null_bytes_with_size")
        guard case .failure(let message, let retryable) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(!retryable)
        #expect(message.contains("null_bytes_with_size") && message.contains("NULL pointer and size 5"), "\(message)")
    }
}
