import Chorus
import Foundation

/// In-process runtime workloads on the memory backend: throughput of no-op
/// tasks, a wide group, a wide chord, a long chain, and single-task latency.
enum EngineBenchmarks {
    static func runtime(_ registry: TaskRegistry, concurrency: Int) throws -> Runtime {
        let runtime = try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: concurrency))
        runtime.start()
        return runtime
    }

    static func run(registry: TaskRegistry, runs: Int, scale: Int) throws -> [Measurement] {
        let concurrency = ProcessInfo.processInfo.activeProcessorCount
        var results: [Measurement] = []
        let tasks = 100_000 / scale
        results.append(try Measurement.run("\(tasks) no-op tasks", unit: "tasks/s", runs: runs, scale: 1, count: 1, setUp: {
            try runtime(registry, concurrency: concurrency)
        }) { rt in
            var handles: [AsyncResult] = []
            handles.reserveCapacity(tasks)
            for _ in 0..<tasks { handles.append(try rt.apply(.task(Signature("noop")))) }
            for h in handles { _ = try h.wait(timeout: 600) }
        }.inverted(count: tasks))

        // The same tasks published before the executors start: what two
        // executors drain per second when one publishing thread is not the limit.
        var drain: [Double] = []
        for _ in 0..<runs {
            let rt = try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: concurrency))
            defer { rt.shutdown() }
            var handles: [AsyncResult] = []
            handles.reserveCapacity(tasks)
            for _ in 0..<tasks { handles.append(try rt.apply(.task(Signature("noop")))) }
            let start = DispatchTime.now().uptimeNanoseconds
            rt.start()
            for h in handles { _ = try h.wait(timeout: 600) }
            drain.append(Double(tasks) * 1e9 / Double(DispatchTime.now().uptimeNanoseconds - start))
        }
        results.append(Measurement(name: "\(tasks) no-op tasks, queue filled first (execution only)", unit: "tasks/s", samples: drain))

        let width = 10_000 / scale
        let group = Canvas.group(Group((0..<width).map { _ in .task(Signature("noop")) }))
        results.append(try Measurement.run("group of \(width)", unit: "ms", runs: runs, scale: 1000, count: 1, setUp: {
            try runtime(registry, concurrency: concurrency)
        }) { rt in
            _ = try rt.apply(group).wait(timeout: 600)
        })

        let chord = Canvas.chord(Chord((0..<width).map { i in .task(Signature("identity", args: [.int(Int64(i))])) }, body: .task(Signature("tsum"))))
        var chordMS = Measurement(name: "", unit: "", samples: [])
        chordMS = try Measurement.run("chord of \(width) (until the body's result)", unit: "ms", runs: runs, scale: 1000, count: 1, setUp: {
            try runtime(registry, concurrency: concurrency)
        }) { rt in
            let sum = try rt.apply(chord).wait(timeout: 600)
            precondition(sum == .int(Int64(width * (width - 1) / 2)), "chord sum was \(sum)")
        }
        results.append(chordMS)
        results.append(Measurement(name: "per chord member", unit: "µs", samples: chordMS.samples.map { $0 * 1000 / Double(width) }))

        let length = 1_000 / scale
        let chain = Canvas.chain(Chain([.task(Signature("add", args: [0, 0]))] + (1..<length).map { _ in .task(Signature("add", args: [1])) }))
        results.append(try Measurement.run("chain of \(length)", unit: "ms", runs: runs, scale: 1000, count: 1, setUp: {
            try runtime(registry, concurrency: concurrency)
        }) { rt in
            let last = try rt.apply(chain).wait(timeout: 600)
            precondition(last == .int(Int64(length - 1)), "chain ended with \(last)")
        })

        let rt = try runtime(registry, concurrency: concurrency)
        defer { rt.shutdown() }
        var latencies: [Double] = []
        for _ in 0..<(2_000 / scale) {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try rt.apply(.task(Signature("noop"))).wait(timeout: 60)
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
        }
        latencies.sort()
        results.append(Measurement(name: "round trip p50", unit: "µs", samples: [latencies[latencies.count / 2]]))
        results.append(Measurement(name: "round trip p99", unit: "µs", samples: [latencies[latencies.count * 99 / 100]]))
        return results
    }
}

extension Measurement {
    /// Turns seconds-per-run samples into a rate: `count` per second.
    func inverted(count: Int) -> Measurement {
        Measurement(name: name, unit: unit, samples: samples.map { Double(count) / $0 })
    }
}
