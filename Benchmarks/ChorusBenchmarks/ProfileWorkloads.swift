import Chorus
import Foundation

/// One workload run once, so a profiler sees nothing else:
///
///     valgrind --tool=callgrind --callgrind-out-file=/tmp/noop.out \
///         .build/release/chorus-bench --profile noop 2000
///
/// Divide the instruction count of `Runtime.apply` / `Runtime.execute` (or the
/// whole run, minus `--profile none`) by N to get instructions per task.
enum ProfileWorkloads {
    static let names = ["none", "noop", "drain", "group", "chord", "chain", "latency", "invoke", "invoke-json", "decode"]

    static func run(_ name: String, count: Int?, registry: TaskRegistry) throws {
        let concurrency = ProcessInfo.processInfo.activeProcessorCount
        func runtime() throws -> Runtime {
            let rt = try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: concurrency))
            rt.start()
            return rt
        }
        switch name {
        case "none":
            // Start-up and shutdown only: the baseline to subtract.
            let rt = try runtime()
            rt.shutdown()
        case "noop":
            let n = count ?? 2_000
            let rt = try runtime()
            defer { rt.shutdown() }
            var handles: [AsyncResult] = []
            handles.reserveCapacity(n)
            for _ in 0..<n { handles.append(try rt.apply(.task(Signature("noop")))) }
            for h in handles { _ = try h.wait(timeout: 600) }
        case "drain":
            // The queue filled before the executors start: execution only.
            let n = count ?? 2_000
            let rt = try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: concurrency))
            defer { rt.shutdown() }
            let handles = try (0..<n).map { _ in try rt.apply(.task(Signature("noop"))) }
            rt.start()
            for h in handles { _ = try h.wait(timeout: 600) }
        case "group":
            let n = count ?? 2_000
            let rt = try runtime()
            defer { rt.shutdown() }
            _ = try rt.apply(.group(Group((0..<n).map { _ in .task(Signature("noop")) }))).wait(timeout: 600)
        case "chord":
            let n = count ?? 2_000
            let rt = try runtime()
            defer { rt.shutdown() }
            let chord = Canvas.chord(Chord((0..<n).map { i in .task(Signature("identity", args: [.int(Int64(i))])) }, body: .task(Signature("tsum"))))
            let sum = try rt.apply(chord).wait(timeout: 600)
            precondition(sum == .int(Int64(n * (n - 1) / 2)), "chord sum was \(sum)")
        case "chain":
            let n = count ?? 200
            let rt = try runtime()
            defer { rt.shutdown() }
            let chain = Canvas.chain(Chain([.task(Signature("add", args: [0, 0]))] + (1..<n).map { _ in .task(Signature("add", args: [1])) }))
            let last = try rt.apply(chain).wait(timeout: 600)
            precondition(last == .int(Int64(n - 1)), "chain ended with \(last)")
        case "latency":
            let n = count ?? 500
            let rt = try runtime()
            defer { rt.shutdown() }
            for _ in 0..<n { _ = try rt.apply(.task(Signature("noop"))).wait(timeout: 60) }
        case "invoke", "invoke-json":
            let n = count ?? 100_000
            let task = try registry.task(named: "identity")
            let services = StandaloneTaskServices()
            let request = InvocationRequest(taskID: "bench")
            var sink: Int64 = 0
            if name == "invoke" {
                let checked = try Invoker.check(task, args: [7])
                for _ in 0..<n {
                    if case .success(.int(let v)) = Invoker.invoke(task, checked: checked, request: request, services: services) { sink &+= v }
                }
            } else {
                for i in 0..<n {
                    if case .success(.int(let v)) = try Invoker.invoke(task, args: [.int(Int64(i))], request: request, services: services) { sink &+= v }
                }
            }
            if sink == 42 { print("") }
        case "decode":
            // What a durable worker does with every claimed row: a no-op
            // task's message read back from its header and body text.
            let n = count ?? 100_000
            var headers = TaskHeaders(task: "noop", id: "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f")
            headers.origin = "gen4242@bench"
            headers.extra["chorus_sent"] = "2026-11-26T18:00:00.000000+00:00"
            let message = TaskMessage(headers: headers)
            let headerText = headers.serializedJSON()
            let bodyText = message.bodyText
            var sink = 0
            for _ in 0..<n {
                let decoded = try TaskMessage(headers: JSON(parsing: headerText), bodyText: bodyText)
                sink &+= decoded.headers.retries
            }
            if sink == 42 { print("") }
        default:
            throw ChorusError(.invalidInput, "unknown workload \"\(name)\"; one of \(names.joined(separator: ", "))")
        }
    }
}
