import CChorus
import Foundation

/// Reads a `chorus_plugin` and its `chorus_task`s field by field, honouring
/// the sizes the plugin declares (a field is read only when the plugin's
/// struct covers it), and validates everything before anything registers.
/// Every error names the plugin file and the task.
enum DescriptorReader {
    /// The smallest `chorus_plugin` this runtime accepts: ABI 1.0's, all fields.
    static let minimumPluginSize = MemoryLayout<chorus_plugin>.size
    /// The smallest `chorus_task`: ABI 1.0 up to `default_retry_delay`; `doc` is optional.
    static let minimumTaskSize = MemoryLayout<chorus_task>.offset(of: \chorus_task.doc)!
    /// Every flag bit ABI 1.0 defines (CHORUS_TASK_KNOWN_FLAGS).
    static let knownFlags = UInt32(CHORUS_TASK_BIND | CHORUS_TASK_ACKS_LATE | CHORUS_TASK_AUTORETRY | CHORUS_TASK_RETRY_JITTER)
    /// Upper bound on tasks per plugin, against garbage counts.
    static let maximumTaskCount: UInt32 = 4096

    static func read(_ plugin: UnsafePointer<chorus_plugin>, path: String) throws(ChorusError) -> PluginDescriptor {
        let raw = UnsafeRawPointer(plugin)
        func fail(_ message: String, code: ChorusError.Code = .invalidDescriptor) -> ChorusError {
            ChorusError(code, "plugin \(path): \(message)")
        }
        let size = Int(raw.load(as: UInt32.self))
        guard size >= minimumPluginSize else {
            throw fail("descriptor size \(size) is smaller than ABI 1.0's chorus_plugin (\(minimumPluginSize) bytes); set .size = sizeof(chorus_plugin)")
        }
        let abi = ABIVersion(packed: field(raw, \chorus_plugin.abi_version))
        let current = ABIVersion.current
        if abi.major != current.major {
            throw fail("built for Chorus ABI \(abi), this runtime speaks ABI \(current); rebuild the plugin against this runtime's chorus.h", code: .abiMismatch)
        }
        if abi.minor > current.minor {
            throw fail("built for Chorus ABI \(abi), newer than this runtime's ABI \(current); upgrade Chorus or rebuild the plugin against chorus.h \(current)", code: .abiMismatch)
        }
        let name = try requiredText(field(raw, \chorus_plugin.name), what: "plugin name", path: path)
        if let problem = TaskName.problem(with: name) { throw fail("plugin name \"\(name)\" \(problem)") }
        let version = try requiredText(field(raw, \chorus_plugin.version), what: "plugin version", path: path)
        guard field(raw, \chorus_plugin.reserved) as UInt32 == 0 else { throw fail("plugin \"\(name)\": reserved field must be 0") }
        let count = field(raw, \chorus_plugin.task_count) as UInt32
        guard count <= maximumTaskCount else { throw fail("plugin \"\(name)\": task_count \(count) is larger than \(maximumTaskCount)") }
        let tasksPointer: UnsafePointer<UnsafePointer<chorus_task>?>? = field(raw, \chorus_plugin.tasks)
        if count > 0 && tasksPointer == nil { throw fail("plugin \"\(name)\": task_count is \(count) but tasks is NULL") }
        var tasks: [TaskDescriptor] = []
        var seen: Set<String> = []
        for i in 0..<Int(count) {
            guard let taskPointer = tasksPointer![i] else { throw fail("task descriptor #\(i) is NULL") }
            let task = try readTask(taskPointer, index: i, origin: "plugin \(path)")
            guard seen.insert(task.name).inserted else { throw fail("declares task '\(task.name)' twice; task names must be unique", code: .duplicateTask) }
            tasks.append(task)
        }
        return PluginDescriptor(name: name, version: version, abiVersion: abi, tasks: tasks)
    }

    /// Reads and checks one task descriptor; `origin` starts every error
    /// message ("plugin /path/libx.so", or "host task" for the embedding API).
    static func readTask(_ task: UnsafePointer<chorus_task>, index: Int, origin: String) throws(ChorusError) -> TaskDescriptor {
        let raw = UnsafeRawPointer(task)
        let size = Int(raw.load(as: UInt32.self))
        guard size >= minimumTaskSize else {
            throw ChorusError(.invalidDescriptor, "\(origin): task descriptor #\(index): size \(size) is smaller than ABI 1.0's chorus_task (\(minimumTaskSize) bytes); set .size = sizeof(chorus_task)")
        }
        guard let namePointer: UnsafePointer<CChar> = field(raw, \chorus_task.name) else {
            throw ChorusError(.invalidDescriptor, "\(origin): task descriptor #\(index): name is NULL")
        }
        guard let name = HostAPI.text(namePointer) else {
            throw ChorusError(.invalidDescriptor, "\(origin): task descriptor #\(index): name is not valid UTF-8")
        }
        func fail(_ message: String, code: ChorusError.Code = .invalidDescriptor) -> ChorusError {
            ChorusError(code, "\(origin): task '\(name)': \(message)")
        }
        if let problem = TaskName.problem(with: name) {
            throw ChorusError(.invalidDescriptor, "\(origin): task descriptor #\(index): name \"\(name)\" \(problem)")
        }
        let flags: UInt32 = field(raw, \chorus_task.flags)
        let known = knownFlags
        if flags & ~known != 0 {
            throw fail("unknown flag bits 0x\(String(flags & ~known, radix: 16)) (ABI \(ABIVersion.current) knows 0x\(String(known, radix: 16))); rebuild against this runtime's chorus.h")
        }
        guard let signaturePointer: UnsafePointer<CChar> = field(raw, \chorus_task.signature) else {
            throw fail("signature is NULL; declare one such as \"int64 (int64 x)\"")
        }
        guard let signatureText = HostAPI.text(signaturePointer) else { throw fail("signature is not valid UTF-8") }
        let signature: TaskSignature
        do {
            signature = try TaskSignature(parsing: signatureText)
        } catch {
            throw fail(error.message, code: .invalidSignature)
        }
        guard let function: chorus_task_fn = field(raw, \chorus_task.function) else { throw fail("function is NULL") }
        let maxRetries: Int32 = field(raw, \chorus_task.max_retries)
        guard maxRetries >= CHORUS_RETRIES_UNLIMITED else {
            throw fail("max_retries \(maxRetries) is invalid; use 0 or more, or CHORUS_RETRIES_UNLIMITED (-1)")
        }
        guard field(raw, \chorus_task.reserved) as UInt32 == 0 else { throw fail("reserved field must be 0") }
        let backoff: Double = field(raw, \chorus_task.retry_backoff)
        let backoffMax: Double = field(raw, \chorus_task.retry_backoff_max)
        let retryDelay: Double = field(raw, \chorus_task.default_retry_delay)
        for (label, value) in [("retry_backoff", backoff), ("retry_backoff_max", backoffMax), ("default_retry_delay", retryDelay)] {
            guard value.isFinite, value >= 0 else { throw fail("\(label) \(value) is invalid; use a finite number of seconds >= 0") }
        }
        var doc: String?
        if size >= MemoryLayout<chorus_task>.offset(of: \chorus_task.doc)! + MemoryLayout<UnsafePointer<CChar>?>.size,
            let docPointer: UnsafePointer<CChar> = field(raw, \chorus_task.doc)
        {
            guard let text = HostAPI.text(docPointer) else { throw fail("doc is not valid UTF-8") }
            doc = text
        }
        let options = TaskOptions(
            bind: flags & UInt32(CHORUS_TASK_BIND) != 0,
            acksLate: flags & UInt32(CHORUS_TASK_ACKS_LATE) != 0,
            maxRetries: maxRetries == CHORUS_RETRIES_UNLIMITED ? nil : Int(maxRetries),
            autoretry: flags & UInt32(CHORUS_TASK_AUTORETRY) != 0,
            retryBackoff: backoff,
            retryBackoffMax: backoffMax == 0 ? 600 : backoffMax,
            retryJitter: flags & UInt32(CHORUS_TASK_RETRY_JITTER) != 0,
            defaultRetryDelay: retryDelay == 0 ? 180 : retryDelay)
        return TaskDescriptor(name: name, signature: signature, options: options, function: function, doc: doc)
    }

    /// Reads one field of a C struct at its offset, without touching the rest.
    private static func field<S, T>(_ base: UnsafeRawPointer, _ key: KeyPath<S, T>) -> T {
        base.load(fromByteOffset: MemoryLayout<S>.offset(of: key)!, as: T.self)
    }

    private static func requiredText(_ p: UnsafePointer<CChar>?, what: String, path: String) throws(ChorusError) -> String {
        guard let p else { throw ChorusError(.invalidDescriptor, "plugin \(path): \(what) is NULL") }
        guard let s = HostAPI.text(p) else { throw ChorusError(.invalidDescriptor, "plugin \(path): \(what) is not valid UTF-8") }
        guard !s.isEmpty else { throw ChorusError(.invalidDescriptor, "plugin \(path): \(what) is empty") }
        return s
    }
}
