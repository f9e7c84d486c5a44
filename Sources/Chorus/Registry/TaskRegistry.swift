/// The runtime's tasks by name, from plugins and from Swift closures.
///
/// Registration is atomic: a plugin's tasks are all checked — against each
/// other and against every task already registered — before any of them is
/// added, so a failed load changes nothing. Thread-safe; lookups take a
/// shared read lock, so executors looking up tasks never wait for each other.
public final class TaskRegistry: Sendable {
    private struct State {
        var tasks: [TaskNameKey: RegisteredTask] = [:]
        var order: [String] = []
        var plugins: [PluginInfo] = []
    }

    private let state = ReadWriteProtected(State())

    public init() {}

    /// Loads the plugin at `path` and registers its tasks. Loading a plugin
    /// that is already registered (same file, a symlink to it, or a copy) is
    /// a no-op that returns the registered plugin.
    @discardableResult
    public func loadPlugin(at path: String) throws(ChorusError) -> PluginInfo {
        let library = try PluginLibrary.open(path)
        let info = library.info
        var prepared: [RegisteredTask] = []
        for task in library.descriptor.tasks {
            let call = try PreparedCall(signature: task.signature, bound: task.options.bind, function: task.function)
            prepared.append(RegisteredTask(name: task.name, signature: task.signature, options: task.options, plugin: info, doc: task.doc, body: .native(call)))
        }
        let result: Result<PluginInfo, ChorusError> = state.write { state in
            if let existing = state.plugins.first(where: { $0.sha256 == info.sha256 }) { return .success(existing) }
            if let clash = state.plugins.first(where: { $0.name == info.name }) {
                return .failure(ChorusError(.duplicateTask, "plugin \(info.path): a plugin named '\(info.name)' is already loaded from \(clash.path); plugin names must be unique"))
            }
            for task in prepared {
                if let existing = state.tasks[TaskNameKey(task.name)] {
                    let owner = existing.plugin.map { "plugin '\($0.name)' (\($0.path))" } ?? "a Swift registration"
                    return .failure(ChorusError(.duplicateTask, "plugin '\(info.name)' (\(info.path)): task '\(task.name)' is already registered by \(owner); rename one of them"))
                }
            }
            for task in prepared {
                state.tasks[TaskNameKey(task.name)] = task
                state.order.append(task.name)
            }
            state.plugins.append(info)
            return .success(info)
        }
        return try result.get()
    }

    /// Registers a Swift closure as a task with a declared signature, so it
    /// takes part in canvases next to plugin tasks. Arguments are checked
    /// against the signature exactly as for native tasks.
    public func register(
        name: String, signature: String, options: TaskOptions = TaskOptions(), doc: String? = nil,
        function: @escaping SwiftTaskFunction
    ) throws(ChorusError) {
        if let problem = TaskName.problem(with: name) {
            throw ChorusError(.invalidDescriptor, "task name \"\(name)\" \(problem)")
        }
        let parsed: TaskSignature
        do {
            parsed = try TaskSignature(parsing: signature)
        } catch {
            throw ChorusError(error.code, "task '\(name)': \(error.message)")
        }
        try add(RegisteredTask(name: name, signature: parsed, options: options, plugin: nil, doc: doc, body: .swift(function)))
    }

    /// Adds one task registered by the program itself (not a plugin), or
    /// throws `.duplicateTask` naming the current owner of the name.
    func add(_ task: RegisteredTask) throws(ChorusError) {
        let name = task.name
        let clash: RegisteredTask? = state.write { state in
            if let existing = state.tasks[TaskNameKey(name)] { return existing }
            state.tasks[TaskNameKey(name)] = task
            state.order.append(name)
            return nil
        }
        if let clash {
            let owner = clash.plugin.map { "plugin '\($0.name)' (\($0.path))" } ?? "a Swift registration"
            throw ChorusError(.duplicateTask, "task '\(name)' is already registered by \(owner); register it under another name")
        }
    }

    /// The task registered as `name`. Unknown names throw `.unknownTask` with
    /// the closest registered names as suggestions.
    public func task(named name: String) throws(ChorusError) -> RegisteredTask {
        let (task, all): (RegisteredTask?, [String]) = state.read { state in
            if let t = state.tasks[TaskNameKey(name)] { return (t, []) }
            return (nil, state.order)
        }
        if let task { return task }
        var message = "unknown task '\(name)'"
        let close = NameSuggestions.closest(to: name, among: all)
        if !close.isEmpty {
            message += "; did you mean " + close.map { "'\($0)'" }.joined(separator: ", ") + "?"
        } else if all.isEmpty {
            message += "; no tasks are registered (load a plugin with --plugin PATH or CHORUS_PLUGIN_PATH)"
        } else {
            message += "; run `chorus tasks` to list the \(all.count) registered tasks"
        }
        throw ChorusError(.unknownTask, message)
    }

    /// Every task, in registration order.
    public var tasks: [RegisteredTask] {
        state.read { state in state.order.compactMap { state.tasks[TaskNameKey($0)] } }
    }

    /// Loaded plugins, in load order.
    public var plugins: [PluginInfo] {
        state.read { $0.plugins }
    }
}
