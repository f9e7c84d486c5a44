import Foundation
import Logging

/// The host API's view of a runtime: task logs go to the runtime's logger,
/// `dispatch` publishes through the runtime (never runs inline), and state
/// lives in the runtime's plugin state store.
struct RuntimeServices: TaskServices {
    let runtime: Runtime

    var state: PluginStateStore { runtime.state }

    var randomSeed: UInt64 { runtime.randomSeed }

    func log(level: TaskLogLevel, message: String, taskName: String, taskID: String) {
        runtime.logger.log(level: level.loggerLevel, "\(message)", metadata: ["task": "\(taskName)", "id": "\(taskID)"])
    }

    func dispatch(canvasJSON: String, from request: InvocationRequest, transaction: StateTransaction?) throws(ChorusError) -> String {
        let canvas = try Canvas(parsingJSON: canvasJSON)
        if runtime.configuration.validateTaskNames { try runtime.validateTaskNames(in: canvas) }
        var options = SignatureOptions()
        options.parentId = request.taskID
        options.rootId = request.rootID ?? request.taskID
        let plan = try canvas.prepare(options: options)
        try runtime.publish(plan, in: transaction)
        return plan.result.id
    }

    func beginTransaction() throws(ChorusError) -> StateTransaction {
        try runtime.state.beginTransaction(broker: runtime.broker)
    }
}
