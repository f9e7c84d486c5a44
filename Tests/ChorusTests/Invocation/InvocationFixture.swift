import OrderedCollections
import Testing
@testable import Chorus

/// The `invocation` fixture plugin, loaded once per process.
enum InvocationFixture {
    static let registry: TaskRegistry = {
        let r = TaskRegistry()
        try! r.loadPlugin(at: try! PluginBuilder.fixture("invocation"))
        return r
    }()

    /// Calls `name` from `registry` (the `invocation` plugin by default).
    static func call(
        _ name: String, _ args: [JSON] = [], kwargs: OrderedDictionary<String, JSON> = [:], in registry: TaskRegistry = registry,
        taskID: String = "bound-1", services: TaskServices = StandaloneTaskServices()
    ) throws -> InvocationOutcome {
        let task = try registry.task(named: name)
        return try Invoker.invoke(task, args: args, kwargs: kwargs, request: InvocationRequest(taskID: taskID), services: services)
    }

    /// Expects calling `name` to throw `.badArguments` whose message contains
    /// every string in `mentions`.
    static func expectBadArguments(
        _ name: String, _ args: [JSON] = [], kwargs: OrderedDictionary<String, JSON> = [:], in registry: TaskRegistry = registry,
        mentions: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            let outcome = try call(name, args, kwargs: kwargs, in: registry)
            Issue.record("\(name)\(args) was called (\(outcome)); expected bad arguments", sourceLocation: sourceLocation)
        } catch let error as ChorusError {
            #expect(error.code == .badArguments, "\(error.message)", sourceLocation: sourceLocation)
            for text in mentions {
                #expect(error.message.contains(text), "message lacks \"\(text)\": \(error.message)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }
}
