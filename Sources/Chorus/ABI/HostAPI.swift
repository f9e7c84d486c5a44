import CChorus
import Foundation

/// The `chorus_host` table handed to every plugin: C-callable functions that
/// find the live invocation context and act on it.
///
/// The table is built once and never freed (plugins may keep the pointer).
/// No function here traps on plugin input: a bad context, a NULL or invalid
/// string, an impossible number all return a `chorus_status`.
enum HostAPI {
    /// The one table, immutable after creation.
    nonisolated(unsafe) static let table: UnsafePointer<chorus_host> = {
        let p = UnsafeMutablePointer<chorus_host>.allocate(capacity: 1)
        p.initialize(to: chorus_host(
            size: UInt32(MemoryLayout<chorus_host>.size),
            abi_version: ABIVersion.current.packed,
            task_id: { ctx in
                guard let c = InvocationContext.live(ctx) else { return nil }
                return c.cString(c.request.taskID, cacheKey: "id")
            },
            task_name: { ctx in
                guard let c = InvocationContext.live(ctx) else { return nil }
                return c.cString(c.taskName, cacheKey: "name")
            },
            retries: { ctx in
                guard let c = InvocationContext.live(ctx) else { return -1 }
                return Int32(clamping: c.request.retries)
            },
            fail: { ctx, message in HostAPI.setDirective(ctx, message: message, permanent: false) },
            fail_permanent: { ctx, message in HostAPI.setDirective(ctx, message: message, permanent: true) },
            log: { ctx, level, message in
                guard let c = InvocationContext.live(ctx) else { return CHORUS_E_CONTEXT }
                guard let lvl = TaskLogLevel(rawValue: level) else { return CHORUS_E_ARGUMENT }
                guard let text = HostAPI.text(message) else { return CHORUS_E_ARGUMENT }
                c.services.log(level: lvl, message: text, taskName: c.taskName, taskID: c.request.taskID)
                return CHORUS_OK
            },
            alloc: { ctx, size in
                guard let c = InvocationContext.live(ctx), size <= Int.max / 2 else { return nil }
                return c.allocate(Int(size))
            },
            retry: { ctx, countdown, message in
                guard let c = InvocationContext.live(ctx) else { return CHORUS_E_CONTEXT }
                guard c.directive == nil else { return CHORUS_E_STATE }
                let chosen: Double?
                if countdown == CHORUS_RETRY_DEFAULT_COUNTDOWN {
                    chosen = nil
                } else {
                    guard countdown.isFinite, countdown >= 0 else { return CHORUS_E_ARGUMENT }
                    chosen = countdown
                }
                var reason: String?
                if let message {
                    guard let t = HostAPI.text(message) else { return CHORUS_E_ARGUMENT }
                    reason = t
                }
                c.directive = .retry(countdown: chosen, message: reason)
                return CHORUS_OK
            },
            dispatch: { ctx, canvas, idOut, idOutSize in
                guard let c = InvocationContext.live(ctx) else { return CHORUS_E_CONTEXT }
                guard let json = HostAPI.text(canvas) else { return CHORUS_E_ARGUMENT }
                if let idOut, idOutSize < Int(CHORUS_ID_SIZE) {
                    if idOutSize > 0 { idOut[0] = 0 }
                    return CHORUS_E_BUFFER
                }
                do throws(ChorusError) {
                    let id = try c.services.dispatch(canvasJSON: json, from: c.request, transaction: c.transaction)
                    if let idOut { HostAPI.copy(id, to: idOut, size: idOutSize) }
                    return CHORUS_OK
                } catch {
                    c.services.log(level: .error, message: "dispatch failed: \(error.message)", taskName: c.taskName, taskID: c.request.taskID)
                    return HostAPI.status(for: error)
                }
            },
            time_scale: { ctx in
                InvocationContext.live(ctx)?.request.timeScale ?? 1.0
            },
            state_get: { ctx, key, valueOut in
                HostAPI.withState(ctx, key) { c, key in
                    guard let valueOut else { return CHORUS_E_ARGUMENT }
                    guard let value = try c.transaction?.get(namespace: c.stateNamespace, key: key)
                        ?? c.services.state.get(namespace: c.stateNamespace, key: key) else {
                        return CHORUS_E_NOT_FOUND
                    }
                    guard let p = c.cString(value) else { return CHORUS_E_NOMEM }
                    valueOut.pointee = p
                    return CHORUS_OK
                }
            },
            state_set: { ctx, key, value in
                HostAPI.withState(ctx, key) { c, key in
                    guard let text = HostAPI.text(value) else { return CHORUS_E_ARGUMENT }
                    if let tx = c.transaction {
                        try tx.set(namespace: c.stateNamespace, key: key, value: text)
                    } else {
                        try c.services.state.set(namespace: c.stateNamespace, key: key, value: text)
                    }
                    return CHORUS_OK
                }
            },
            state_delete: { ctx, key in
                HostAPI.withState(ctx, key) { c, key in
                    let existed = try c.transaction?.delete(namespace: c.stateNamespace, key: key)
                        ?? c.services.state.delete(namespace: c.stateNamespace, key: key)
                    return existed ? CHORUS_OK : CHORUS_E_NOT_FOUND
                }
            },
            state_increment: { ctx, key, delta, valueOut in
                HostAPI.withState(ctx, key) { c, key in
                    let v = try c.transaction?.increment(namespace: c.stateNamespace, key: key, by: delta)
                        ?? c.services.state.increment(namespace: c.stateNamespace, key: key, by: delta)
                    valueOut?.pointee = v
                    return CHORUS_OK
                }
            },
            state_list: { ctx, prefix, jsonOut in
                guard let c = InvocationContext.live(ctx) else { return CHORUS_E_CONTEXT }
                guard let prefix = HostAPI.text(prefix), let jsonOut else { return CHORUS_E_ARGUMENT }
                do throws(ChorusError) {
                    let items: [(key: String, value: String)]
                    if let tx = c.transaction {
                        items = try tx.list(namespace: c.stateNamespace, prefix: prefix)
                    } else {
                        items = try c.services.state.list(namespace: c.stateNamespace, prefix: prefix)
                    }
                    var object = JSON.emptyObject.objectValue!
                    for item in items { object[item.key] = .string(item.value) }
                    guard let p = c.cString(JSON.object(object).serialized()) else { return CHORUS_E_NOMEM }
                    jsonOut.pointee = p
                    return CHORUS_OK
                } catch {
                    return HostAPI.status(for: error)
                }
            },
            transaction_begin: { ctx in
                guard let c = InvocationContext.live(ctx) else { return CHORUS_E_CONTEXT }
                guard c.transaction == nil else { return CHORUS_E_STATE }
                do throws(ChorusError) {
                    c.transaction = try c.services.beginTransaction()
                    return CHORUS_OK
                } catch {
                    return HostAPI.status(for: error)
                }
            },
            transaction_commit: { ctx in
                guard let c = InvocationContext.live(ctx) else { return CHORUS_E_CONTEXT }
                guard let tx = c.transaction else { return CHORUS_E_STATE }
                c.transaction = nil
                do throws(ChorusError) {
                    try tx.commit()
                    return CHORUS_OK
                } catch {
                    c.services.log(level: .error, message: "commit failed: \(error.message)", taskName: c.taskName, taskID: c.request.taskID)
                    return CHORUS_E_BACKEND
                }
            },
            transaction_rollback: { ctx in
                guard let c = InvocationContext.live(ctx) else { return CHORUS_E_CONTEXT }
                guard let tx = c.transaction else { return CHORUS_E_STATE }
                c.transaction = nil
                tx.rollback()
                return CHORUS_OK
            },
            random: { ctx in
                InvocationContext.live(ctx)?.nextRandom() ?? 0
            }
        ))
        return UnsafePointer(p)
    }()

    /// Longest state key, in bytes.
    static let maximumStateKeyLength = 512

    /// A plugin's NUL-terminated string as Swift text; `nil` for NULL or invalid UTF-8.
    static func text(_ p: UnsafePointer<CChar>?) -> String? {
        guard let p else { return nil }
        return String(validating: UnsafeRawBufferPointer(start: p, count: strlen(p)), as: UTF8.self)
    }

    /// Copies `text` NUL-terminated into a caller buffer of `size` bytes (truncating).
    static func copy(_ text: String, to buffer: UnsafeMutablePointer<CChar>, size: Int) {
        guard size > 0 else { return }
        let bytes = Array(text.utf8.prefix(size - 1))
        bytes.withUnsafeBufferPointer { src in
            for (i, b) in src.enumerated() { buffer[i] = CChar(bitPattern: b) }
        }
        buffer[bytes.count] = 0
    }

    static func status(for error: ChorusError) -> chorus_status {
        switch error.code {
        case .unknownTask: CHORUS_E_UNKNOWN_TASK
        case .invalidInput, .badArguments: CHORUS_E_ARGUMENT
        case .invalidState: CHORUS_E_STATE
        case .backend: CHORUS_E_BACKEND
        default: CHORUS_E_INTERNAL
        }
    }

    private static func setDirective(_ ctx: OpaquePointer?, message: UnsafePointer<CChar>?, permanent: Bool) -> chorus_status {
        guard let c = InvocationContext.live(ctx) else { return CHORUS_E_CONTEXT }
        guard c.directive == nil else { return CHORUS_E_STATE }
        guard let text = text(message) else { return CHORUS_E_ARGUMENT }
        c.directive = .fail(message: text, permanent: permanent)
        return CHORUS_OK
    }

    private static func withState(
        _ ctx: OpaquePointer?, _ key: UnsafePointer<CChar>?,
        _ body: (InvocationContext, String) throws -> chorus_status
    ) -> chorus_status {
        guard let c = InvocationContext.live(ctx) else { return CHORUS_E_CONTEXT }
        guard let key = text(key), !key.isEmpty, key.utf8.count <= maximumStateKeyLength else { return CHORUS_E_ARGUMENT }
        do {
            return try body(c, key)
        } catch let error as ChorusError {
            if error.code == .invalidState { return CHORUS_E_STATE }
            if error.code == .badArguments { return CHORUS_E_ARGUMENT }
            return status(for: error)
        } catch {
            return CHORUS_E_INTERNAL
        }
    }
}
