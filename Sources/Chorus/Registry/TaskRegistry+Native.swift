import CChorus

/// Host-provided C functions as tasks, for the embedding API
/// (`chorus_runtime_register_task`). `package` access: the C API in
/// ChorusEmbedding uses it; Swift programs register closures with
/// ``TaskRegistry/register(name:signature:options:doc:function:)`` instead.
extension TaskRegistry {
    /// Registers the C function `function` as the task `name`, called exactly
    /// as a plugin task with the same declared signature and flags would be
    /// (the same prepared libffi call, context first when `bind`).
    package func registerNative(
        name: String, signature text: String, options: TaskOptions, doc: String? = nil,
        function: @escaping @convention(c) () -> Void
    ) throws(ChorusError) {
        if let problem = TaskName.problem(with: name) {
            throw ChorusError(.invalidDescriptor, "task name \"\(name)\" \(problem)")
        }
        let signature: TaskSignature
        do {
            signature = try TaskSignature(parsing: text)
        } catch {
            throw ChorusError(error.code, "task '\(name)': \(error.message)")
        }
        let call = try PreparedCall(signature: signature, bound: options.bind, function: function)
        try add(RegisteredTask(name: name, signature: signature, options: options, plugin: nil, doc: doc, body: .native(call)))
    }

    /// Registers a host task from a full `chorus_task` descriptor
    /// (`chorus_runtime_register_descriptor`), read and checked as a plugin's
    /// is, so its retry options and doc apply; errors start with `origin`.
    package func registerNative(descriptor: UnsafePointer<chorus_task>, origin: String) throws(ChorusError) {
        let task = try DescriptorReader.readTask(descriptor, index: 0, origin: origin)
        let call = try PreparedCall(signature: task.signature, bound: task.options.bind, function: task.function)
        try add(RegisteredTask(
            name: task.name, signature: task.signature, options: task.options, plugin: nil, doc: task.doc, body: .native(call)))
    }

    /// The `chorus_host` table every plugin receives; lives for the process.
    package static var hostTable: UnsafePointer<chorus_host> { HostAPI.table }

    /// Every flag bit this ABI defines, for checking flags from C callers.
    package static var knownTaskFlags: UInt32 { DescriptorReader.knownFlags }
}
