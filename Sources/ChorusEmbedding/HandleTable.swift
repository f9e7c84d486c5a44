import CChorus
import Synchronization

/// Every live C handle, by token.
///
/// A handle given to C is not an object's address but a token: a number that
/// is never reissued. Looking a token up after its destructor ran finds
/// nothing, so use after destroy (or a stray pointer, or a handle of the wrong
/// type) is refused with a status instead of touching freed memory.
final class HandleTable: Sendable {
    static let shared = HandleTable()

    private struct State {
        /// Next token; steps of 16 so tokens look like aligned pointers and are never 0.
        var next: UInt = 0x10_0000
        var boxes: [UInt: HandleBox] = [:]
    }

    private let state = Mutex(State())

    /// Registers `box` and returns its new handle.
    func insert(_ box: HandleBox) -> OpaquePointer {
        let token: UInt = state.withLock { state in
            let token = state.next
            state.next += 16
            state.boxes[token] = box
            return token
        }
        return OpaquePointer(bitPattern: token)!
    }

    /// The live box behind `handle`, of type `B`, or the error the C API reports.
    func lookup<B: HandleBox>(_ handle: OpaquePointer?, as _: B.Type) throws(APIError) -> B {
        guard let handle else { throw APIError(CHORUS_E_ARGUMENT, "\(B.kind) is NULL") }
        let token = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))
        let box = state.withLock { $0.boxes[token] }
        guard let box else {
            throw APIError(CHORUS_E_STATE, "\(B.kind) \(Self.describe(token)) is not live: it was destroyed, or never created")
        }
        guard let typed = box as? B else {
            throw APIError(CHORUS_E_STATE, "\(Self.describe(token)) is a \(type(of: box).kind), not a \(B.kind)")
        }
        return typed
    }

    /// Any live box behind `handle`, for `chorus_last_error`.
    func any(_ handle: UnsafeRawPointer) -> HandleBox? {
        let token = UInt(bitPattern: Int(bitPattern: handle))
        return state.withLock { $0.boxes[token] }
    }

    /// Forgets the handle and returns its box, if it was a live `B`.
    func remove<B: HandleBox>(_ handle: OpaquePointer?, as _: B.Type) -> B? {
        guard let handle else { return nil }
        let token = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))
        return state.withLock { state in
            guard state.boxes[token] is B else { return nil }
            return state.boxes.removeValue(forKey: token) as? B
        }
    }

    private static func describe(_ token: UInt) -> String { "0x" + String(token, radix: 16) }
}
