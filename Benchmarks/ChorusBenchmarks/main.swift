import Chorus
import Foundation

/// `swift run -c release chorus-bench [--quick]`: prints the benchmark table.
/// Every figure is the median of several runs, min–max beside it.
/// `chorus-bench --profile WORKLOAD [N]` runs one workload once, for
/// `valgrind --tool=callgrind` (see `ProfileWorkloads`).
let quick = CommandLine.arguments.contains("--quick")
let runs = quick ? 3 : 7
let registry = TaskRegistry()
// `--durable [--json PATH]`: only the durable section (SQLite backend, two
// `chorus worker` processes, worker memory); Benchmarks/run compares it with Celery.
if CommandLine.arguments.contains("--durable") {
    do {
        let durable = try DurableBenchmarks.run(quick: quick)
        print("| durable (SQLite, 2 chorus worker processes × 1 executor) | median | min–max |")
        print("|---|---|---|")
        for m in durable { print("| " + m.measurement.row + " |") }
        if let i = CommandLine.arguments.firstIndex(of: "--json"), i + 1 < CommandLine.arguments.count {
            try DurableBenchmarks.writeJSON(durable, to: CommandLine.arguments[i + 1])
        }
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("chorus-bench: error: \(error)\n".utf8))
        exit(1)
    }
}
do {
    try PluginDiscovery.forCurrentProcess(explicitPaths: []).load(into: registry)
    if let i = CommandLine.arguments.firstIndex(of: "--profile") {
        let args = CommandLine.arguments
        let name = i + 1 < args.count ? args[i + 1] : ""
        let count = i + 2 < args.count ? Int(args[i + 2]) : nil
        try ProfileWorkloads.run(name, count: count, registry: registry)
        exit(0)
    }
    let invocation = try InvocationBenchmarks.run(registry: registry, calls: quick ? 100_000 : 1_000_000, runs: runs)
    print("| invocation (no-op int64 → int64) | median | min–max |")
    print("|---|---|---|")
    for m in invocation { print("| " + m.row + " |") }
    let raw = invocation[1].median
    print("")
    for m in invocation { print(String(format: "%@: %.2f× raw ffi_call", m.name, m.median / raw)) }
    print("")
    // Five runs: the median of three moved by 10% between identical builds on these noisy machines.
    let engine = try EngineBenchmarks.run(registry: registry, runs: quick ? 1 : 5, scale: quick ? 10 : 1)
    print("| in process (memory backend, \(ProcessInfo.processInfo.activeProcessorCount) executors) | median | min–max |")
    print("|---|---|---|")
    for m in engine { print("| " + m.row + " |") }
} catch let error as ChorusError {
    FileHandle.standardError.write(Data("chorus-bench: error: \(error.message)\n".utf8))
    exit(1)
}
