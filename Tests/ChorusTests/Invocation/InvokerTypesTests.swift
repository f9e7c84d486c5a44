import Testing
@testable import Chorus

/// Calls every type of the `types` fixture plugin through libffi.
@Suite struct InvokerTypesTests {
    static let registry: TaskRegistry = {
        let r = TaskRegistry()
        try! r.loadPlugin(at: try! PluginBuilder.fixture("types"))
        return r
    }()

    func call(_ name: String, _ args: [JSON], kwargs: JSON = [:]) throws -> InvocationOutcome {
        let task = try Self.registry.task(named: name)
        return try Invoker.invoke(task, args: args, kwargs: kwargs.objectValue!, request: InvocationRequest(taskID: "t-1"), services: StandaloneTaskServices())
    }

    @Test(arguments: [
        ("echo_bool", JSON.bool(true)), ("echo_bool", .bool(false)),
        ("echo_int32", .int(Int64(Int32.max))), ("echo_int32", .int(Int64(Int32.min))), ("echo_int32", .int(-1)),
        ("echo_int64", .int(.max)), ("echo_int64", .int(.min)), ("echo_int64", .int(0)),
        ("echo_uint64", .uint(.max)), ("echo_uint64", .int(0)), ("echo_uint64", .int(Int64.max)),
        ("echo_double", .double(-1.5e300)), ("echo_double", .double(0.1)), ("echo_double", .double(-0.0)),
        ("echo_string", .string("héllo, wörld ✓")), ("echo_string", .string("")),
        ("echo_json", ["a": [1, 2.5, "x", nil, true]] as JSON), ("echo_json", .int(7)),
    ])
    func roundTrips(task: String, value: JSON) throws {
        #expect(try call(task, [value]) == .success(value))
    }

    @Test func doubleAcceptsExactIntegers() throws {
        #expect(try call("echo_double", [.int(1 << 53)]) == .success(.double(9007199254740992)))
        #expect(try call("echo_double", [.int(-(1 << 53))]) == .success(.double(-9007199254740992)))
    }

    @Test func bytesRoundTripAsBase64() throws {
        #expect(try call("echo_bytes", ["abc"]) == .success(["base64": "YWJj"]))
        #expect(try call("echo_bytes", [["base64": "AAEC/w=="]]) == .success(["base64": "AAEC/w=="]))
        #expect(try call("echo_bytes", [""]) == .success(["base64": ""]))
    }

    @Test func narrowReturnsAreNotWidenedWrongly() throws {
        #expect(try call("negate32", [.int(5)]) == .success(.int(-5)))
        #expect(try call("is_negative", [.int(-5)]) == .success(.bool(true)))
        #expect(try call("is_negative", [.int(5)]) == .success(.bool(false)))
        #expect(try call("nothing", []) == .success(.null))
    }

    @Test func bindsPositionalThenKeyword() throws {
        #expect(try call("add", [40], kwargs: ["y": 2]) == .success(42))
        #expect(try call("add", [], kwargs: ["y": 2, "x": 40]) == .success(42))
        let all: [JSON] = [true, 10, 100, 1001, 2.9, "abcd", [1], "xy"]
        // 1 + 10 + 100 + 1 + 2 + 4 + len("[1]")=3 + 2
        #expect(try call("mixed", all) == .success(123))
    }

    @Test func boundTaskSeesItsContext() throws {
        let task = try Self.registry.task(named: "whoami")
        let outcome = try Invoker.invoke(task, args: [], request: InvocationRequest(taskID: "abc-123", retries: 2, timeScale: 0.5), services: StandaloneTaskServices())
        #expect(outcome == .success("whoami/abc-123/2/0.5"))
    }

    @Test func failuresAndRetries() throws {
        #expect(try call("fails", ["boom"]) == .failure(message: "boom", retryable: true))
        #expect(try call("fails_permanently", ["no"]) == .failure(message: "no", retryable: false))
        #expect(try call("asks_retry", [2.5]) == .retry(countdown: 2.5, message: "try again"))
        #expect(try call("asks_retry", [-1.0]) == .retry(countdown: nil, message: "try again"))
    }

    @Test func badResultsBecomePermanentFailures() throws {
        guard case .failure(let m1, false) = try call("bad_utf8", []) else { Issue.record("expected failure"); return }
        #expect(m1.contains("not valid UTF-8"))
        guard case .failure(let m2, false) = try call("bad_json", []) else { Issue.record("expected failure"); return }
        #expect(m2.contains("invalid JSON"))
        guard case .failure(let m3, false) = try call("not_finite", []) else { Issue.record("expected failure"); return }
        #expect(m3.contains("JSON cannot represent"))
    }

    @Test func staleContextIsRefusedNotCrashed() throws {
        #expect(try call("keep_context", []) == .success(1))
        // CHORUS_E_CONTEXT is -1.
        #expect(try call("use_stale_context", []) == .success(-1))
    }

    @Test func pluginState() throws {
        let services = StandaloneTaskServices()
        let counter = try Self.registry.task(named: "counter")
        let r = InvocationRequest(taskID: "s")
        #expect(try Invoker.invoke(counter, args: ["k", 5], request: r, services: services) == .success(5))
        #expect(try Invoker.invoke(counter, args: ["k", -7], request: r, services: services) == .success(-2))
        let roundtrip = try Self.registry.task(named: "state_roundtrip")
        #expect(try Invoker.invoke(roundtrip, args: ["name", "värde"], request: r, services: services) == .success("värde"))
        #expect(try services.state.get(namespace: "types", key: "name") == "värde")
    }
}
