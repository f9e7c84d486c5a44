import CChorus
import Chorus

/// A failure the C API reports: a status and a one-line message.
struct APIError: Error {
    var status: chorus_status
    var message: String

    init(_ status: chorus_status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// The status a runtime error maps to, keeping its message.
    init(_ error: ChorusError) {
        self.init(Self.status(for: error.code), error.message)
    }

    static func status(for code: ChorusError.Code) -> chorus_status {
        switch code {
        case .unknownTask: CHORUS_E_UNKNOWN_TASK
        case .invalidInput, .badArguments, .invalidSignature, .invalidDescriptor: CHORUS_E_ARGUMENT
        // A plugin path that cannot be loaded is an invalid argument to the call.
        case .pluginLoad, .unsafePlugin, .abiMismatch: CHORUS_E_ARGUMENT
        case .duplicateTask, .invalidState: CHORUS_E_STATE
        case .timeout: CHORUS_E_TIMEOUT
        case .taskFailed, .revoked: CHORUS_E_TASK_FAILED
        case .backend: CHORUS_E_BACKEND
        default: CHORUS_E_INTERNAL
        }
    }
}

/// Runs a C API function body: looks the handle up, runs `body`, and turns a
/// thrown error into a status with its message recorded on the handle and for
/// the calling thread. Nothing here traps on caller input.
enum Entry {
    static func call<B: HandleBox>(
        _ function: String, _ handle: OpaquePointer?, as type: B.Type,
        _ body: (B) throws(APIError) -> Void
    ) -> chorus_status {
        let box: B
        do throws(APIError) {
            box = try HandleTable.shared.lookup(handle, as: B.self)
        } catch {
            return fail(function, error, on: nil)
        }
        do throws(APIError) {
            try body(box)
            return CHORUS_OK
        } catch {
            return fail(function, error, on: box)
        }
    }

    /// For constructors without an input handle.
    static func call(_ function: String, _ body: () throws(APIError) -> Void) -> chorus_status {
        do throws(APIError) {
            try body()
            return CHORUS_OK
        } catch {
            return fail(function, error, on: nil)
        }
    }

    static func fail(_ function: String, _ error: APIError, on box: HandleBox?) -> chorus_status {
        let text = "\(function): \(error.message)"
        box?.setLastError(text)
        ThreadError.set(text)
        return error.status
    }

    /// Required C text: NULL and invalid UTF-8 are `CHORUS_E_ARGUMENT`.
    static func text(_ pointer: UnsafePointer<CChar>?, _ what: String) throws(APIError) -> String {
        guard let pointer else { throw APIError(CHORUS_E_ARGUMENT, "\(what) is NULL") }
        guard let text = String(validatingCString: pointer) else {
            throw APIError(CHORUS_E_ARGUMENT, "\(what) is not valid UTF-8")
        }
        return text
    }

    /// Required output pointer.
    static func output<T>(_ pointer: UnsafeMutablePointer<T>?, _ what: String) throws(APIError) -> UnsafeMutablePointer<T> {
        guard let pointer else { throw APIError(CHORUS_E_ARGUMENT, "\(what) is NULL") }
        return pointer
    }
}
