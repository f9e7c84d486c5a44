import Chorus
import Foundation

/// The durable SQLite backend with real `chorus worker` processes (issue 7,
/// items 3 and 5): the bench process only publishes and waits, like a Celery
/// producer; the workers are the `chorus` binary built beside this one.
///
/// `chorus-bench --durable [--quick] [--json PATH]`. Worker process ids are
/// appended to `$CHORUS_BENCH_PIDFILE` (when set) so `Benchmarks/run` can stop
/// them by id if this process dies first.
///
/// For comparing changes, the environment narrows a run:
/// `CHORUS_BENCH_ONLY=tasks,tasks_tx,chord,p50` (keys as in `keys`; p50 also
/// gives p99), `CHORUS_BENCH_TASKS=N` (no-op tasks per run),
/// `CHORUS_BENCH_RUNS=N`, `CHORUS_BENCH_CONCURRENCY=N` (executors per worker
/// process, default 1) and `CHORUS_BENCH_WORKER_ARGS` (extra `chorus worker`
/// arguments, e.g. `--prefetch 1`).
enum DurableBenchmarks {
    /// One `chorus worker` process; stderr goes to a file we poll for "ready:".
    final class Worker {
        let process = Process()
        let log: String

        init(binary: String, database: String, concurrency: Int, directory: String, name: String, arguments: [String] = []) throws {
            log = "\(directory)/\(name).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: binary)
            let extra = ProcessInfo.processInfo.environment["CHORUS_BENCH_WORKER_ARGS"]?.split(separator: " ").map(String.init) ?? []
            process.arguments = ["worker", "--db", database, "--concurrency", String(concurrency)] + arguments + extra
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            var environment = ProcessInfo.processInfo.environment
            environment["CHORUS_PLUGIN_PATH"] = nil
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: log)
            try process.run()
            if let pidFile = ProcessInfo.processInfo.environment["CHORUS_BENCH_PIDFILE"],
               let handle = FileHandle(forWritingAtPath: pidFile) {
                handle.seekToEndOfFile()
                handle.write(Data("\(process.processIdentifier)\n".utf8))
                try? handle.close()
            }
            let deadline = Date().addingTimeInterval(30)
            while !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("ready:") {
                guard process.isRunning, Date() < deadline else {
                    stop()
                    throw ChorusError(.invalidState, "chorus worker did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
                }
                usleep(10_000)
            }
        }

        /// Peak resident set size (VmHWM) in MiB, from /proc.
        var peakRSSMiB: Double {
            guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                  let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            else { return .nan }
            return kb / 1024
        }

        /// Warm shutdown (SIGTERM), then SIGKILL if it has not exited within 15 s.
        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(15)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }

    static func makeProducer(_ backend: SQLiteBackend) throws -> Runtime {
        let registry = TaskRegistry()
        try PluginDiscovery.forCurrentProcess(explicitPaths: []).load(into: registry)
        return try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: 1), broker: backend, store: backend, state: backend)
    }

    /// Publishes `count` no-op tasks in transactions of up to 10,000 and waits for every result.
    static func drain(_ producer: Runtime, count: Int) throws {
        var done = 0
        while done < count {
            let batch = min(10_000, count - done)
            let handles = try producer.transaction(namespace: "bench") { tx in
                try (0..<batch).map { _ in try tx.apply(.task(Signature("noop"))) }
            }
            _ = try AsyncResult.waitAll(handles, timeout: 600)
            done += batch
        }
    }

    static func run(quick: Bool) throws -> [(key: String, measurement: Measurement)] {
        let directory = NSTemporaryDirectory() + "chorus-bench-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let binary = Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("chorus").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ChorusError(.invalidState, "\(binary) is missing: swift build -c release --product chorus")
        }
        let environment = ProcessInfo.processInfo.environment
        let only = environment["CHORUS_BENCH_ONLY"].map { Set($0.split(separator: ",").map(String.init)) }
        func wanted(_ key: String) -> Bool { only?.contains(key) ?? true }
        let runs = environment["CHORUS_BENCH_RUNS"].flatMap { Int($0) } ?? (quick ? 1 : 3)
        let concurrency = environment["CHORUS_BENCH_CONCURRENCY"].flatMap { Int($0) } ?? 1
        var results: [(key: String, measurement: Measurement)] = []

        // Two worker processes, one executor each: 2 executors in all, like
        // Celery's prefork pool with concurrency 2.
        let database = "\(directory)/bench.db"
        let backend = try SQLiteBackend(path: database)
        let producer = try makeProducer(backend)
        var workers: [Worker] = []
        defer { for w in workers { w.stop() } }
        for i in 1...2 {
            workers.append(try Worker(binary: binary, database: database, concurrency: concurrency, directory: directory, name: "worker\(i)"))
        }

        let tasks = environment["CHORUS_BENCH_TASKS"].flatMap { Int($0) } ?? (quick ? 2_000 : 10_000)
        if wanted("tasks") {
            results.append(("tasks", try Measurement.run("\(tasks) no-op tasks (apply() each, until every result)", unit: "tasks/s", runs: runs, scale: 1, count: 1) {
                let handles = try (0..<tasks).map { _ in try producer.apply(.task(Signature("noop"))) }
                _ = try AsyncResult.waitAll(handles, timeout: 600)
            }.inverted(count: tasks)))
        }
        if wanted("tasks_tx") {
            results.append(("tasks_tx", try Measurement.run("\(tasks) no-op tasks (one transaction, until every result)", unit: "tasks/s", runs: runs, scale: 1, count: 1) {
                try drain(producer, count: tasks)
            }.inverted(count: tasks)))
        }

        let width = quick ? 1_000 : 10_000  // issue 7: a group of 10,000, as the Celery side sends
        if wanted("group") {
            let group = Canvas.group(Group((0..<width).map { _ in .task(Signature("noop")) }))
            results.append(("group", try Measurement.run("group of \(width)", unit: "ms", runs: runs, scale: 1000, count: 1) {
                _ = try producer.apply(group).wait(timeout: 600)
            }))
        }

        let chordWidth = 1_000
        if wanted("chord") {
            let chord = Canvas.chord(Chord((0..<chordWidth).map { i in .task(Signature("identity", args: [.int(Int64(i))])) }, body: .task(Signature("tsum"))))
            results.append(("chord", try Measurement.run("chord of \(chordWidth) (until the body's result)", unit: "ms", runs: runs, scale: 1000, count: 1) {
                let sum = try producer.apply(chord).wait(timeout: 600)
                precondition(sum == .int(Int64(chordWidth * (chordWidth - 1) / 2)), "chord sum was \(sum)")
            }))
        }

        let length = quick ? 200 : 1_000
        if wanted("chain") {
            let chain = Canvas.chain(Chain([.task(Signature("add", args: [0, 0]))] + (1..<length).map { _ in .task(Signature("add", args: [1])) }))
            results.append(("chain", try Measurement.run("chain of \(length)", unit: "ms", runs: runs, scale: 1000, count: 1) {
                let last = try producer.apply(chain).wait(timeout: 600)
                precondition(last == .int(Int64(length - 1)), "chain ended with \(last)")
            }))
        }

        // Send→result latency: one task at a time, the workers otherwise idle.
        let samples = quick ? 200 : 1_000
        if wanted("p50") || wanted("p99") {
            var p50: [Double] = []
            var p99: [Double] = []
            for _ in 0..<runs {
                var latencies: [Double] = []
                for _ in 0..<samples {
                    let start = DispatchTime.now().uptimeNanoseconds
                    _ = try producer.apply(.task(Signature("noop"))).wait(timeout: 60)
                    latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                }
                latencies.sort()
                p50.append(latencies[latencies.count / 2])
                p99.append(latencies[latencies.count * 99 / 100])
            }
            results.append(("p50", Measurement(name: "round trip p50 (\(samples) sequential tasks)", unit: "ms", samples: p50)))
            results.append(("p99", Measurement(name: "round trip p99", unit: "ms", samples: p99)))
        }
        for w in workers { w.stop() }
        workers.removeAll()

        // The one-transaction drain again, with workers that begin each task
        // in a commit of its own (Celery's exact early ack; see `--begin-batch`).
        if wanted("tasks_tx_strict") {
            for i in 1...2 {
                workers.append(try Worker(
                    binary: binary, database: database, concurrency: concurrency, directory: directory, name: "strict\(i)",
                    arguments: ["--begin-batch", "1"]))
            }
            results.append(("tasks_tx_strict", try Measurement.run("\(tasks) no-op tasks (one transaction, workers with --begin-batch 1)", unit: "tasks/s", runs: runs, scale: 1, count: 1) {
                try drain(producer, count: tasks)
            }.inverted(count: tasks)))
            for w in workers { w.stop() }
            workers.removeAll()
        }

        // Memory: one worker with 2 executors, idle, then after N tasks.
        // 100,000 (the figure) takes Celery ~9 minutes on a 2-core
        // machine, so the default is smaller; CHORUS_BENCH_MEMORY_TASKS overrides.
        guard wanted("mem_idle") || wanted("mem_busy") else { return results }
        let memoryTasks = environment["CHORUS_BENCH_MEMORY_TASKS"].flatMap { Int($0) } ?? (quick ? 5_000 : 20_000)
        var idle: [Double] = []
        var busy: [Double] = []
        for run in 0..<(quick ? 1 : 3) {
            let memoryDB = "\(directory)/memory\(run).db"
            let memoryBackend = try SQLiteBackend(path: memoryDB)
            let memoryProducer = try makeProducer(memoryBackend)
            let worker = try Worker(binary: binary, database: memoryDB, concurrency: 2, directory: directory, name: "memory\(run)")
            workers.append(worker)
            usleep(1_000_000)
            idle.append(worker.peakRSSMiB)
            try drain(memoryProducer, count: memoryTasks)
            busy.append(worker.peakRSSMiB)
            worker.stop()
            workers.removeAll()
            memoryBackend.close()
        }
        results.append(("mem_idle", Measurement(name: "worker peak RSS, idle (VmHWM, 1 process)", unit: "MiB", samples: idle)))
        results.append(("mem_busy", Measurement(name: "worker peak RSS after \(memoryTasks) tasks", unit: "MiB", samples: busy)))
        return results
    }

    /// The keys of the rows `run` returns, in order, as Benchmarks/report.py
    /// and Benchmarks/celery/bench.py name them.
    static let keys = ["tasks", "tasks_tx", "group", "chord", "chain", "p50", "p99", "tasks_tx_strict", "mem_idle", "mem_busy"]

    /// `{"key":..., "name":..., "unit":..., "samples":[...]}` per line, for Benchmarks/report.py.
    static func writeJSON(_ measurements: [(key: String, measurement: Measurement)], to path: String) throws {
        var text = "[\n"
        text += measurements.map { key, m in
            let name = m.name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "  {\"key\": \"\(key)\", \"name\": \"\(name)\", \"unit\": \"\(m.unit)\", \"samples\": [\(m.samples.map { $0.isFinite ? String($0) : "null" }.joined(separator: ", "))]}"
        }.joined(separator: ",\n")
        text += "\n]\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
