import CChorus
import Chorus

/// `@unchecked Sendable`: immutable; `AsyncResult` is `Sendable`.
final class ResultBox: HandleBox, @unchecked Sendable {
    override class var kind: String { "chorus_result" }
    let result: AsyncResult

    init(_ result: AsyncResult) { self.result = result }

    /// The outcome if the work has finished, without blocking: the value, or
    /// the failure. `nil` while it runs.
    func finished() throws(APIError) -> Result<JSON, ChorusError>? {
        do throws(ChorusError) {
            return .success(try result.wait(timeout: 0))
        } catch where error.code == .timeout {
            return nil
        } catch where error.code == .taskFailed || error.code == .revoked {
            return .failure(error)
        } catch {
            throw APIError(error)
        }
    }
}

@_cdecl("chorus_result_destroy")
public func cResultDestroy(_ result: OpaquePointer?) {
    _ = HandleTable.shared.remove(result, as: ResultBox.self)
}

@_cdecl("chorus_result_wait")
public func cResultWait(_ result: OpaquePointer?, _ timeout: Double) -> chorus_status {
    Entry.call("chorus_result_wait", result, as: ResultBox.self) { box throws(APIError) in
        guard !timeout.isNaN else { throw APIError(CHORUS_E_ARGUMENT, "timeout is NaN") }
        do throws(ChorusError) {
            _ = try box.result.wait(timeout: timeout < 0 ? nil : min(timeout, 365 * 86_400))
        } catch {
            throw APIError(error)
        }
    }
}

@_cdecl("chorus_result_state")
public func cResultState(_ result: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> chorus_status {
    out?.pointee = nil
    return Entry.call("chorus_result_state", result, as: ResultBox.self) { box throws(APIError) in
        let out = try Entry.output(out, "state_out")
        out.pointee = StateNames.name(box.result.state)
    }
}

@_cdecl("chorus_result_id")
public func cResultID(_ result: OpaquePointer?, _ out: UnsafeMutablePointer<CChar>?, _ size: Int) -> chorus_status {
    Entry.call("chorus_result_id", result, as: ResultBox.self) { box throws(APIError) in
        let out = try Entry.output(out, "id_out")
        let id = Array(box.result.id.utf8CString)
        guard size >= id.count else {
            if size > 0 { out[0] = 0 }
            throw APIError(CHORUS_E_BUFFER, "the id needs \(id.count) bytes, the buffer has \(size)")
        }
        for (i, c) in id.enumerated() { out[i] = c }
    }
}

@_cdecl("chorus_result_json")
public func cResultJSON(_ result: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> chorus_status {
    out?.pointee = nil
    return Entry.call("chorus_result_json", result, as: ResultBox.self) { box throws(APIError) in
        let out = try Entry.output(out, "json_out")
        switch try box.finished() {
        case nil:
            throw APIError(CHORUS_E_STATE, "\(box.result.id) has not finished (state \(box.result.state)); call chorus_result_wait first")
        case .failure(let error):
            throw APIError(error)
        case .success(let value):
            try ownedCString(value.serialized(), into: out)
        }
    }
}

@_cdecl("chorus_result_error")
public func cResultError(_ result: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> chorus_status {
    out?.pointee = nil
    return Entry.call("chorus_result_error", result, as: ResultBox.self) { box throws(APIError) in
        let out = try Entry.output(out, "message_out")
        switch try box.finished() {
        case nil:
            throw APIError(CHORUS_E_STATE, "\(box.result.id) has not finished (state \(box.result.state)); call chorus_result_wait first")
        case .success:
            throw APIError(CHORUS_E_STATE, "\(box.result.id) succeeded; there is no error")
        case .failure(let error):
            try ownedCString(error.message, into: out)
        }
    }
}

/// Celery's state names as static C strings.
enum StateNames {
    static func name(_ state: TaskState) -> UnsafePointer<CChar> {
        let text: StaticString = switch state {
        case .pending: "PENDING"
        case .received: "RECEIVED"
        case .started: "STARTED"
        case .retry: "RETRY"
        case .success: "SUCCESS"
        case .failure: "FAILURE"
        case .revoked: "REVOKED"
        }
        return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
