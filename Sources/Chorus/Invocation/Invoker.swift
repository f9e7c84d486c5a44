import OrderedCollections

/// Calls a registered task with Celery-style arguments: binds them to the
/// declared parameters, converts each strictly to its C type, makes the call,
/// and turns what happened into an `InvocationOutcome`.
///
/// Safe to call from many threads at once, also for the same task: every call
/// builds its own frame and context; the prepared cif is only read.
public enum Invoker {
    /// Runs `task` once.
    ///
    /// Throws `.badArguments` — before anything is called — when the
    /// arguments do not bind or convert. Every other problem (the task
    /// failed, asked for a retry, returned something unacceptable) is an
    /// outcome, not a thrown error.
    public static func invoke(
        _ task: RegisteredTask, args: [JSON], kwargs: OrderedDictionary<String, JSON> = [:],
        request: InvocationRequest, services: TaskServices
    ) throws(ChorusError) -> InvocationOutcome {
        invoke(task, checked: try check(task, args: args, kwargs: kwargs), request: request, services: services)
    }

    /// Binds and converts arguments once, so a caller that runs the same call
    /// many times (a benchmark, a retry) skips the checks on later calls.
    /// Throws `.badArguments` exactly as `invoke` does.
    public static func check(
        _ task: RegisteredTask, args: [JSON], kwargs: OrderedDictionary<String, JSON> = [:]
    ) throws(ChorusError) -> CheckedArguments {
        let bound = try ArgumentBinder.bind(task: task.name, signature: task.signature, args: args, kwargs: kwargs)
        var values: [NativeValue] = []
        values.reserveCapacity(bound.count)
        for (value, parameter) in zip(bound, task.signature.parameters) {
            values.append(try NativeValue.convert(value, to: parameter, task: task.name))
        }
        return CheckedArguments(taskName: task.name, bound: bound, values: values)
    }

    /// Runs `task` with arguments `check` already accepted for it.
    public static func invoke(
        _ task: RegisteredTask, checked: CheckedArguments, request: InvocationRequest, services: TaskServices
    ) -> InvocationOutcome {
        precondition(checked.taskName == task.name, "arguments checked for \(checked.taskName) used with \(task.name)")
        switch task.body {
        case .native(let call):
            return invokeNative(task, call: call, values: checked.values, arguments: checked.bound, request: request, services: services)
        case .swift(let function):
            return invokeSwift(task, function: function, arguments: checked.bound, request: request, services: services)
        }
    }

    static func invokeNative(
        _ task: RegisteredTask, call: PreparedCall, values: [NativeValue], arguments: [JSON], request: InvocationRequest,
        services: TaskServices
    ) -> InvocationOutcome {
        guard call.bound else {
            // An unbound task cannot reach the host API, so it needs no context.
            let frame = CallFrame(values: values, context: nil)
            call.call(arguments: frame.argumentPointers, returnValue: frame.returnBuffer)
            do throws(ChorusError) {
                return .success(try ResultDecoder.decode(frame.returnBuffer, as: task.signature.returnType, task: task.name))
            } catch {
                return .failure(message: error.message, retryable: false)
            }
        }
        let context = InvocationContext(task: task, request: request, services: services, arguments: arguments)
        let frame = CallFrame(values: values, context: context.handle)
        return context.withInstalled {
            call.call(arguments: frame.argumentPointers, returnValue: frame.returnBuffer)
            switch context.directive {
            case .fail(let message, let permanent)?:
                return .failure(message: message, retryable: !permanent)
            case .retry(let countdown, let message)?:
                return .retry(countdown: countdown, message: message)
            case nil:
                do throws(ChorusError) {
                    return .success(try ResultDecoder.decode(frame.returnBuffer, as: task.signature.returnType, task: task.name))
                } catch {
                    return .failure(message: error.message, retryable: false)
                }
            }
        }
    }

    static func invokeSwift(
        _ task: RegisteredTask, function: SwiftTaskFunction, arguments: [JSON], request: InvocationRequest,
        services: TaskServices
    ) -> InvocationOutcome {
        let context = SwiftTaskContext(request: request, taskName: task.name, services: services)
        let value: JSON
        do {
            value = try function(arguments, context)
        } catch let failure as TaskFailure {
            return .failure(message: failure.message, retryable: failure.retryable)
        } catch let retry as TaskRetry {
            return .retry(countdown: retry.countdown, message: retry.message)
        } catch let error as ChorusError {
            return .failure(message: error.message, retryable: true)
        } catch {
            return .failure(message: "\(error)", retryable: true)
        }
        // A result of the wrong type is the task's bug, not a passing fault: no retry.
        do throws(ChorusError) {
            return .success(try ResultDecoder.check(value, as: task.signature.returnType, task: task.name))
        } catch {
            return .failure(message: error.message, retryable: false)
        }
    }
}

/// Arguments bound to a task's parameters and converted to their C types,
/// ready to call it any number of times.
public struct CheckedArguments: Sendable {
    let taskName: String
    let bound: [JSON]
    let values: [NativeValue]
}
