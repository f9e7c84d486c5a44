import CChorus

/// A plugin descriptor read from native memory and fully validated: nothing
/// in it points back into the plugin except the task functions.
struct PluginDescriptor: Sendable {
    var name: String
    var version: String
    var abiVersion: ABIVersion
    var tasks: [TaskDescriptor]
}

/// One validated task descriptor.
struct TaskDescriptor: @unchecked Sendable {
    // @unchecked: `function` is a C function pointer, immutable code.
    var name: String
    var signature: TaskSignature
    var options: TaskOptions
    var function: @convention(c) () -> Void
    var doc: String?
}
