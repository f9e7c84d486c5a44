import CChorus
import Chorus

/// `@unchecked Sendable`: immutable after init; `Runtime` is thread-safe.
final class RuntimeBox: HandleBox, @unchecked Sendable {
    override class var kind: String { "chorus_runtime" }
    let runtime: Runtime

    init(_ runtime: Runtime) { self.runtime = runtime }
}

@_cdecl("chorus_runtime_create")
public func cRuntimeCreate(_ config: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> chorus_status {
    out?.pointee = nil
    return Entry.call("chorus_runtime_create", config, as: ConfigBox.self) { box throws(APIError) in
        let out = try Entry.output(out, "runtime_out")
        let runtime = try RuntimeFactory.make(box.values.withLock { $0 })
        out.pointee = HandleTable.shared.insert(RuntimeBox(runtime))
    }
}

@_cdecl("chorus_runtime_destroy")
public func cRuntimeDestroy(_ runtime: OpaquePointer?) {
    guard let box = HandleTable.shared.remove(runtime, as: RuntimeBox.self) else { return }
    box.runtime.shutdown(timeout: 60)
}

@_cdecl("chorus_runtime_load_plugin")
public func cRuntimeLoadPlugin(_ runtime: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> chorus_status {
    Entry.call("chorus_runtime_load_plugin", runtime, as: RuntimeBox.self) { box throws(APIError) in
        let path = try Entry.text(path, "path")
        do throws(ChorusError) {
            try box.runtime.registry.loadPlugin(at: path)
        } catch {
            throw APIError(error)
        }
    }
}

@_cdecl("chorus_runtime_register_task")
public func cRuntimeRegisterTask(
    _ runtime: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ signature: UnsafePointer<CChar>?, _ flags: UInt32,
    _ function: chorus_task_fn?
) -> chorus_status {
    Entry.call("chorus_runtime_register_task", runtime, as: RuntimeBox.self) { box throws(APIError) in
        let name = try Entry.text(name, "name")
        let signature = try Entry.text(signature, "signature")
        guard let function else { throw APIError(CHORUS_E_ARGUMENT, "function is NULL") }
        let unknown = flags & ~TaskRegistry.knownTaskFlags
        guard unknown == 0 else {
            throw APIError(CHORUS_E_ARGUMENT, "unknown flag bits 0x\(String(unknown, radix: 16)); use CHORUS_TASK_* flags")
        }
        let options = TaskOptions(
            bind: flags & UInt32(CHORUS_TASK_BIND) != 0, acksLate: flags & UInt32(CHORUS_TASK_ACKS_LATE) != 0,
            maxRetries: 3, autoretry: flags & UInt32(CHORUS_TASK_AUTORETRY) != 0,
            retryJitter: flags & UInt32(CHORUS_TASK_RETRY_JITTER) != 0)
        do throws(ChorusError) {
            try box.runtime.registry.registerNative(name: name, signature: signature, options: options, function: function)
        } catch {
            throw APIError(error)
        }
    }
}

@_cdecl("chorus_runtime_register_descriptor")
public func cRuntimeRegisterDescriptor(_ runtime: OpaquePointer?, _ task: UnsafePointer<chorus_task>?) -> chorus_status {
    Entry.call("chorus_runtime_register_descriptor", runtime, as: RuntimeBox.self) { box throws(APIError) in
        guard let task else { throw APIError(CHORUS_E_ARGUMENT, "task is NULL") }
        do throws(ChorusError) {
            // The entry point already prefixes its own name to every message.
            try box.runtime.registry.registerNative(descriptor: task, origin: "descriptor")
        } catch {
            throw APIError(error)
        }
    }
}

@_cdecl("chorus_apply")
public func cApply(_ runtime: OpaquePointer?, _ signature: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> chorus_status {
    out?.pointee = nil
    return Entry.call("chorus_apply", runtime, as: RuntimeBox.self) { box throws(APIError) in
        let out = try Entry.output(out, "result_out")
        let canvas = try HandleTable.shared.lookup(signature, as: SignatureBox.self).canvas
        do throws(ChorusError) {
            let result = try box.runtime.apply(canvas)
            out.pointee = HandleTable.shared.insert(ResultBox(result))
        } catch {
            throw APIError(error)
        }
    }
}
