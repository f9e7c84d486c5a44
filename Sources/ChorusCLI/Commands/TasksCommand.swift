import ArgumentParser
import Chorus

/// `chorus tasks`: the loaded plugins and their tasks.
struct TasksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "List loaded plugins and their tasks with signatures and options.",
        discussion: """
            Examples:
              chorus tasks
              chorus tasks --plugin ./libhello.so --json
            """
    )

    @OptionGroup var pluginOptions: PluginOptions

    @Flag(help: "Print machine-readable JSON (format version 1).")
    var json = false

    func run() throws {
        let registry = try pluginOptions.makeRegistry()
        if json {
            print(TaskListing.json(registry).serialized())
        } else {
            print(TaskListing.text(registry), terminator: "")
        }
    }
}

/// Renders the registry for `chorus tasks`.
enum TaskListing {
    static func options(_ o: TaskOptions) -> JSON {
        [
            "bind": .bool(o.bind), "acks_late": .bool(o.acksLate),
            "max_retries": o.maxRetries.map { .int(Int64($0)) } ?? .null,
            "autoretry": .bool(o.autoretry), "retry_backoff": .double(o.retryBackoff),
            "retry_backoff_max": .double(o.retryBackoffMax), "retry_jitter": .bool(o.retryJitter),
            "default_retry_delay": .double(o.defaultRetryDelay),
        ]
    }

    static func task(_ t: RegisteredTask) -> JSON {
        [
            "name": .string(t.name), "signature": .string(t.signature.description),
            "return": .string(t.signature.returnType.name),
            "parameters": .array(t.signature.parameters.map { ["name": .string($0.name), "type": .string($0.type.name)] }),
            "options": options(t.options), "doc": t.doc.map(JSON.string) ?? .null,
        ]
    }

    static func json(_ registry: TaskRegistry) -> JSON {
        let tasks = registry.tasks
        var plugins: [JSON] = registry.plugins.map { p in
            [
                "name": .string(p.name), "version": .string(p.version), "path": .string(p.path),
                "sha256": .string(p.sha256), "abi": .string(p.abiVersion.description),
                "tasks": .array(tasks.filter { $0.plugin == p }.map(task)),
            ]
        }
        let swiftTasks = tasks.filter { $0.plugin == nil }
        if !swiftTasks.isEmpty {
            plugins.append(["name": "swift", "version": nil, "path": nil, "sha256": nil, "abi": nil, "tasks": .array(swiftTasks.map(task))])
        }
        return ["format": 1, "chorus": .string(ChorusVersion.string), "abi": .string(ABIVersion.current.description), "plugins": .array(plugins)]
    }

    static func optionSummary(_ o: TaskOptions) -> String {
        var parts: [String] = []
        if o.bind { parts.append("bind") }
        if o.acksLate { parts.append("acks_late") }
        if o.autoretry { parts.append("autoretry") }
        parts.append("max_retries=" + (o.maxRetries.map(String.init) ?? "unlimited"))
        if o.retryBackoff > 0 {
            parts.append("backoff=\(format(o.retryBackoff))s..\(format(o.retryBackoffMax))s" + (o.retryJitter ? "+jitter" : ""))
        } else {
            parts.append("retry_delay=\(format(o.defaultRetryDelay))s")
        }
        return parts.joined(separator: " ")
    }

    static func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }

    static func text(_ registry: TaskRegistry) -> String {
        let plugins = registry.plugins
        let tasks = registry.tasks
        if plugins.isEmpty && tasks.isEmpty {
            return "No plugins loaded. Load one with --plugin PATH or CHORUS_PLUGIN_PATH.\n"
        }
        var out = ""
        for p in plugins {
            out += "\(p.name) \(p.version)  (ABI \(p.abiVersion))  \(p.path)\n"
            let mine = tasks.filter { $0.plugin == p }
            let width = mine.map(\.name.count).max() ?? 0
            for t in mine {
                let padded = t.name.padding(toLength: width, withPad: " ", startingAt: 0)
                out += "  \(padded)  \(t.signature)  [\(optionSummary(t.options))]\n"
                if let doc = t.doc { out += "  \(String(repeating: " ", count: width))  \(doc)\n" }
            }
            if mine.isEmpty { out += "  (no tasks)\n" }
        }
        return out
    }
}
