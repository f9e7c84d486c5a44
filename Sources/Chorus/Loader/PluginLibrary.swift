import CChorus
import Foundation
import Synchronization

/// A plugin shared library opened in this process, with its validated
/// descriptor.
///
/// dlopen state is per process, so this cache is too: a plugin's entry point
/// runs at most once per process even when several registries load it, and a
/// second load of the same file — by the same path, through a symlink, or as
/// a byte-identical copy elsewhere — returns the first load instead of
/// opening and initialising it again.
///
/// Libraries are never closed: code of a loaded plugin may still run, and
/// unloading native code safely is not possible in general.
final class PluginLibrary: Sendable {
    let file: PluginFile
    let descriptor: PluginDescriptor

    /// `@unchecked`: the handle is written once and never closed.
    private struct Handle: @unchecked Sendable { let raw: UnsafeMutableRawPointer }
    private let handle: Handle

    private init(file: PluginFile, descriptor: PluginDescriptor, handle: UnsafeMutableRawPointer) {
        self.file = file
        self.descriptor = descriptor
        self.handle = Handle(raw: handle)
    }

    var info: PluginInfo {
        PluginInfo(name: descriptor.name, version: descriptor.version, path: file.path, sha256: file.sha256, abiVersion: descriptor.abiVersion)
    }

    private struct Cache {
        var libraries: [PluginLibrary] = []
        /// Files whose entry point ran but whose load then failed, with the
        /// error to repeat: the entry point is called once per process and
        /// file, so a failed load is not retried.
        var failures: [(file: PluginFile, error: ChorusError)] = []
    }

    private static let cache = Mutex(Cache())

    /// Opens the plugin at `path`, or returns the already opened copy of it.
    static func open(_ path: String) throws(ChorusError) -> PluginLibrary {
        let file = try PluginFile(checking: path)
        // Loading happens under the lock: it is rare, and this keeps two threads
        // from initialising the same plugin at once.
        let result: Result<PluginLibrary, ChorusError> = cache.withLock { cache in
            if let known = cache.libraries.first(where: { $0.file.isSamePlugin(as: file) }) {
                return .success(known)
            }
            if let failed = cache.failures.first(where: { $0.file.isSamePlugin(as: file) }) {
                return .failure(failed.error)
            }
            let handle: UnsafeMutableRawPointer
            let entry: chorus_plugin_entry_fn
            do throws(ChorusError) {
                (handle, entry) = try openEntry(file)
            } catch {
                return .failure(error)  // No plugin code ran but constructors; may be retried.
            }
            do throws(ChorusError) {
                let library = try initialise(file, handle: handle, entry: entry)
                cache.libraries.append(library)
                return .success(library)
            } catch {
                let again = ChorusError(error.code, error.message + " (its entry point already ran in this process and is not called again; fix the plugin and restart)")
                cache.failures.append((file, again))
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// dlopens the file and finds its entry point; closes it again when there is none.
    private static func openEntry(_ file: PluginFile) throws(ChorusError) -> (UnsafeMutableRawPointer, chorus_plugin_entry_fn) {
        _ = dlerror()
        guard let handle = dlopen(file.path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw ChorusError(.pluginLoad, "plugin \(file.path): cannot load: \(reason)")
        }
        guard let symbol = dlsym(handle, CHORUS_PLUGIN_ENTRY_NAME) else {
            let message = missingEntryMessage(handle, path: file.path)
            // Not closed: its constructors have run, and unloading a library
            // built with a managed runtime (Swift, for one) after that crashes
            // the process. The mapping stays; nothing of it is ever called.
            throw ChorusError(.abiMismatch, message)
        }
        return (handle, unsafeBitCast(symbol, to: chorus_plugin_entry_fn.self))
    }

    /// Calls the entry point (once per process and file) and validates the descriptor.
    private static func initialise(
        _ file: PluginFile, handle: UnsafeMutableRawPointer, entry: chorus_plugin_entry_fn
    ) throws(ChorusError) -> PluginLibrary {
        var errorBuffer = [CChar](repeating: 0, count: 1024)
        let plugin = errorBuffer.withUnsafeMutableBufferPointer { buffer in
            entry(HostAPI.table, buffer.baseAddress, buffer.count)
        }
        guard let plugin else {
            errorBuffer[errorBuffer.count - 1] = 0
            let reason = refusalReason(errorBuffer)
            let detail = reason.isEmpty ? "its entry point returned NULL without a reason" : reason
            throw ChorusError(.pluginLoad, "plugin \(file.path) refused to load: \(detail)")
        }
        let descriptor = try DescriptorReader.read(plugin, path: file.path)
        return PluginLibrary(file: file, descriptor: descriptor, handle: handle)
    }

    /// The NUL-terminated reason a refusing entry point wrote. A reason longer
    /// than the buffer is typically cut by snprintf in the middle of a UTF-8
    /// sequence: that incomplete tail is dropped rather than the whole reason;
    /// other invalid bytes become U+FFFD.
    static func refusalReason(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        for cut in 0...min(3, bytes.count) {
            if let text = String(validating: bytes.dropLast(cut), as: UTF8.self) { return text }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Explains a missing entry point: a plugin for another ABI major exports
    /// a differently named entry, which is worth saying.
    private static func missingEntryMessage(_ handle: UnsafeMutableRawPointer, path: String) -> String {
        let current = ABIVersion.current
        for major in (1...16).reversed() where major != Int(current.major) {
            if dlsym(handle, "chorus_plugin_entry_v\(major)") != nil {
                return "plugin \(path) was built for Chorus ABI \(major).x (it exports chorus_plugin_entry_v\(major)); this runtime speaks ABI \(current); rebuild it against this runtime's chorus.h"
            }
        }
        return "plugin \(path) does not export \(CHORUS_PLUGIN_ENTRY_NAME); is it a Chorus plugin built against chorus.h \(current) with CHORUS_EXPORT?"
    }
}

extension PluginFile {
    /// Whether `other` is this plugin again: the same canonical path, the same
    /// (device, inode) — a hard link — or byte-identical content elsewhere.
    func isSamePlugin(as other: PluginFile) -> Bool {
        path == other.path || (device == other.device && inode == other.inode) || sha256 == other.sha256
    }
}
