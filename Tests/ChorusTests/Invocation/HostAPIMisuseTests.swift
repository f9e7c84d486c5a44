import Foundation
import Synchronization
import Testing
@testable import Chorus

/// Host functions called the wrong way return a status; nothing traps.
@Suite struct HostAPIMisuseTests {

    @Test func failAfterFailIsAStateError() throws {
        let services = StandaloneTaskServices()
        #expect(try InvocationFixture.call("fail_twice", services: services) == .failure(message: "first", retryable: true))
        // fail, fail_permanent and retry after a failure: CHORUS_E_STATE (-5) each.
        #expect(try services.state.get(namespace: "invocation", key: "statuses") == "-5 -5 -5")
    }

    @Test func failWithNullIsAnArgumentError() throws {
        // CHORUS_E_ARGUMENT is -2, and the invocation is not marked failed.
        #expect(try InvocationFixture.call("fail_null") == .success(-2))
        #expect(try InvocationFixture.call("fail_permanent_null") == .success(-2))
    }

    @Test func logRefusesInvalidTextAndLevels() throws {
        #expect(try InvocationFixture.call("log_invalid_utf8") == .success(-2))
        #expect(try InvocationFixture.call("log_bad_level") == .success(-2))
        let recorder = RecordingServices()
        #expect(try InvocationFixture.call("log_valid", taskID: "bound-log", services: recorder) == .success(0))
        #expect(recorder.lines.withLock { $0 } == ["warning log_valid bound-log café"])
    }

    @Test func allocOfZeroBytesIsNull() throws {
        #expect(try InvocationFixture.call("alloc_zero") == .success(true))
    }

    @Test func theContextIsRefusedOnAnotherThread() throws {
        let outcome = try InvocationFixture.call("other_thread", taskID: "bound-thread")
        #expect(outcome == .success([
            "id_null": true, "name_null": true, "retries": -1, "fail": -1, "log": -1, "state_set": -1,
            "alloc_null": true, "still_live": true,
        ]))
    }

    @Test func theContextIsRefusedAfterItsTaskReturned() throws {
        let services = StandaloneTaskServices()
        #expect(try InvocationFixture.call("keep_context", services: services) == .success(1))
        let outcome = try InvocationFixture.call("use_kept_context", services: services)
        #expect(outcome == .success([
            "task_id_null": true, "task_name_null": true, "retries": -1, "fail": -1, "fail_permanent": -1, "retry": -1,
            "log": -1, "alloc_null": true, "dispatch": -1, "time_scale": 1, "state_get": -1, "state_set": -1,
            "state_delete": -1, "state_increment": -1, "state_list": -1, "outputs_untouched": true,
        ]))
        #expect(try services.state.get(namespace: "invocation", key: "k") == nil)
    }

    @Test func stateGetOfAMissingKeyIsNotFound() throws {
        // CHORUS_E_NOT_FOUND is -7; the output is left alone.
        #expect(try InvocationFixture.call("state_get_missing") == .success(-7))
    }

    @Test func stateIncrementOfTextIsAStateError() throws {
        // CHORUS_E_STATE is -5; the stored text and the output are left alone.
        #expect(try InvocationFixture.call("state_increment_text") == .success(-5))
    }
}

/// Services that record log lines.
final class RecordingServices: TaskServices {
    let lines = Mutex<[String]>([])
    let state: PluginStateStore = MemoryPluginStateStore()

    func log(level: TaskLogLevel, message: String, taskName: String, taskID: String) {
        lines.withLock { $0.append("\(level) \(taskName) \(taskID) \(message)") }
    }

    func dispatch(canvasJSON: String, from request: InvocationRequest, transaction: StateTransaction?) throws(ChorusError) -> String {
        throw ChorusError(.invalidState, "no dispatch in tests")
    }

    func beginTransaction() throws(ChorusError) -> StateTransaction {
        try state.beginTransaction(broker: nil)
    }
}

extension HostAPIMisuseTests {
    @Test func dispatchIntoATooSmallBufferWritesOnlyATerminatingNul() throws {
        // CHORUS_E_BUFFER is -6: "nothing was written except a terminating NUL
        // at index 0 when the size allows it".
        #expect(try InvocationFixture.call("dispatch_small_buffer") == .success([
            "status": -6, "first": 0, "second": .int(Int64(UInt8(ascii: "y"))), "zero_status": -6,
            "zero_first": .int(Int64(UInt8(ascii: "n"))),
        ]))
    }
}

extension HostAPIMisuseTests {
    @Test func stateRetryAndLogRefuseInvalidArguments() throws {
        let services = StandaloneTaskServices()
        // -2 is CHORUS_E_ARGUMENT, -7 CHORUS_E_NOT_FOUND. None of the refused
        // retries marks the invocation, so it succeeds.
        #expect(try InvocationFixture.call("bad_arguments", services: services) == .success([
            "set_empty_key": -2, "set_null_key": -2, "set_long_key": -2, "set_null_value": -2, "set_bad_utf8": -2,
            "get_null_out": -2, "list_null_out": -2, "delete_missing": -7, "overflow": -2,
            "retry_negative": -2, "retry_nan": -2, "retry_bad_message": -2, "log_negative_level": -2,
        ]))
        #expect(try services.state.get(namespace: "invocation", key: "big") == "9223372036854775807")
        #expect(try services.state.get(namespace: "invocation", key: "k") == nil)
    }
}
