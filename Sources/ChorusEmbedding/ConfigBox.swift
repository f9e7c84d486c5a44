import CChorus
import Foundation
import Synchronization

/// What a `chorus_config` holds.
struct EmbeddingConfiguration: Sendable {
    enum Backend: Sendable, Equatable {
        case memory
        case sqlite(path: String)
    }

    var concurrency = ProcessInfo.processInfo.activeProcessorCount
    var timeScale = 1.0
    var backend = Backend.memory
    var plugins: [String] = []
}

/// `@unchecked Sendable`: the values live behind a lock.
final class ConfigBox: HandleBox, @unchecked Sendable {
    override class var kind: String { "chorus_config" }
    let values = Mutex(EmbeddingConfiguration())
}

@_cdecl("chorus_config_create")
public func cConfigCreate(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> chorus_status {
    Entry.call("chorus_config_create") { () throws(APIError) in
        let out = try Entry.output(out, "config_out")
        out.pointee = HandleTable.shared.insert(ConfigBox())
    }
}

@_cdecl("chorus_config_destroy")
public func cConfigDestroy(_ config: OpaquePointer?) {
    _ = HandleTable.shared.remove(config, as: ConfigBox.self)
}

@_cdecl("chorus_config_set_concurrency")
public func cConfigSetConcurrency(_ config: OpaquePointer?, _ threads: Int32) -> chorus_status {
    Entry.call("chorus_config_set_concurrency", config, as: ConfigBox.self) { box throws(APIError) in
        guard (1...1024).contains(threads) else {
            throw APIError(CHORUS_E_ARGUMENT, "concurrency must be between 1 and 1024, got \(threads)")
        }
        box.values.withLock { $0.concurrency = Int(threads) }
    }
}

@_cdecl("chorus_config_set_time_scale")
public func cConfigSetTimeScale(_ config: OpaquePointer?, _ scale: Double) -> chorus_status {
    Entry.call("chorus_config_set_time_scale", config, as: ConfigBox.self) { box throws(APIError) in
        guard scale.isFinite, scale > 0 else {
            throw APIError(CHORUS_E_ARGUMENT, "time scale must be a finite number > 0 such as 0.01 or 1, got \(scale)")
        }
        box.values.withLock { $0.timeScale = scale }
    }
}

@_cdecl("chorus_config_set_backend")
public func cConfigSetBackend(_ config: OpaquePointer?, _ kind: chorus_backend, _ path: UnsafePointer<CChar>?) -> chorus_status {
    Entry.call("chorus_config_set_backend", config, as: ConfigBox.self) { box throws(APIError) in
        let backend: EmbeddingConfiguration.Backend
        switch kind {
        case CHORUS_BACKEND_MEMORY:
            guard path == nil else { throw APIError(CHORUS_E_ARGUMENT, "the memory backend takes no path; pass NULL") }
            backend = .memory
        case CHORUS_BACKEND_SQLITE:
            let text = try Entry.text(path, "path")
            guard !text.isEmpty else { throw APIError(CHORUS_E_ARGUMENT, "the SQLite backend needs a database file path") }
            backend = .sqlite(path: text)
        default:
            throw APIError(CHORUS_E_ARGUMENT, "unknown backend kind \(kind.rawValue); use CHORUS_BACKEND_MEMORY or CHORUS_BACKEND_SQLITE")
        }
        box.values.withLock { $0.backend = backend }
    }
}

@_cdecl("chorus_config_add_plugin")
public func cConfigAddPlugin(_ config: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> chorus_status {
    Entry.call("chorus_config_add_plugin", config, as: ConfigBox.self) { box throws(APIError) in
        let text = try Entry.text(path, "path")
        guard !text.isEmpty else { throw APIError(CHORUS_E_ARGUMENT, "plugin path is empty") }
        box.values.withLock { $0.plugins.append(text) }
    }
}
