import ArgumentParser
import Chorus
import Foundation

/// `chorus demo`: the tutorial Chorus grew from, end to end, in one process.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the tutorial's group and chord reports and show what they teach.",
        discussion: """
            Creates a group report, a chord report, and a chord report whose id is a multiple of 5 (its long task always fails), runs them on a worker pool in this process with
            live progress, prints each report's task log, and states the lessons observed:
            a group's link fires after its FIRST task; a chord's body waits for all three; a permanent header failure ends the chord in error after six attempts.

            The reports live in the embedded durable database (--db, default ~/.local/state/chorus/chorus.db; no server to start), so `chorus report list` and `chorus report show ID` show them afterwards; --memory keeps everything in memory instead. The default time scale (0.05) ends the demo in under a minute; --time-scale 1 gives the tutorial's real timings (minutes). --seed makes a run repeatable.

            Examples:
              chorus demo
              chorus demo --seed 7
              chorus demo --time-scale 1
            """
    )

    @Option(name: .customLong("time-scale"), help: ArgumentHelp("Multiply every wait and every simulated API call by X.", valueName: "X"))
    var timeScale: Double = 0.05

    @Option(help: ArgumentHelp("Seed the random source (API timings, failures, jitter) for a repeatable run.", valueName: "N"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("Executor threads; the default runs all nine API calls at once.", valueName: "N"))
    var concurrency: Int = 9

    @Flag(help: "Keep everything in memory instead of the durable database.")
    var memory = false

    @OptionGroup var pluginOptions: PluginOptions
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        var configuration = RuntimeConfiguration(concurrency: concurrency, timeScale: timeScale)
        if let seed { configuration.random = SeededRandomSource(seed: seed) }
        let registry = try pluginOptions.makeRegistry()
        _ = try registry.task(named: "report_create")
        let runtime: Runtime
        if memory {
            runtime = try Runtime(registry: registry, configuration: configuration)
        } else {
            let backend = try database.open(scale: timeScale)
            runtime = try Runtime(registry: registry, configuration: configuration, broker: backend, store: backend, state: backend)
            print("database: \(backend.path)")
        }
        let printer = DemoPrinter()
        runtime.observe { printer.print($0) }
        runtime.start()
        defer { runtime.shutdown(timeout: 10) }
        let book = ReportBook(state: runtime.state)

        print("Chorus demo: three reports, time scale \(timeScale)\(seed.map { ", seed \($0)" } ?? "")\n")
        let group = try create(kind: "group", runtime: runtime)
        let chord = try create(kind: "chord", runtime: runtime)
        // The long task always fails for ids that are multiples of 5: skip ahead to one.
        let next = try book.nextMultipleOfFive()
        let failing = try create(kind: "chord", runtime: runtime, expecting: next)
        print("created report \(group.reportID) (group), \(chord.reportID) (chord), \(failing.reportID) (chord, id a multiple of 5)\n")

        guard runtime.waitUntilIdle(timeout: max(120, 2_000 * timeScale)) else {
            throw CommandFailure(message: "the demo's tasks did not finish in time", status: ExitStatus.timeout)
        }
        print("")
        for id in [group.reportID, chord.reportID, failing.reportID] {
            guard let report = try book.report(id) else { continue }
            print("report \(id) (\(report.kind)): \(report.status), created \(report.created)")
            print(ReportBook.render(try book.log(of: id)))
        }
        print("What happened:")
        for lesson in try DemoLessons(book: book, store: runtime.store).lessons(group: group, chord: chord, failing: failing) {
            print("- \(lesson)")
        }
    }

    private func create(kind: String, runtime: Runtime, expecting: Int64? = nil) throws -> DemoLessons.Workflow {
        let key = UUID().uuidString.lowercased()
        let handle = try runtime.apply(.task(Signature("report_create", args: [.string(kind), .string(key)])))
        let value = try handle.wait(timeout: 60)
        guard let id = value.int64Value else { throw ChorusError(.internal, "report_create returned \(value)") }
        if let expecting, id != expecting {
            throw ChorusError(.internal, "expected report id \(expecting), got \(id); another process is creating reports")
        }
        return DemoLessons.Workflow(reportID: id, rootID: handle.rootID ?? handle.id)
    }
}

extension ReportBook {
    /// Moves the report sequence so the next report's id is a multiple of 5.
    func nextMultipleOfFive() throws(ChorusError) -> Int64 {
        let current = Int64(try state.get(namespace: Self.namespace, key: "report:seq") ?? "0") ?? 0
        let next = (current / 5 + 1) * 5
        try state.set(namespace: Self.namespace, key: "report:seq", value: String(next - 1))
        return next
    }
}

/// Live progress for the demo: one line per state change of a report task.
final class DemoPrinter: @unchecked Sendable {
    // `lock` serialises output from worker threads.
    private let lock = NSLock()
    private let start = Date()

    func print(_ event: TaskEvent) {
        let what: String
        switch event.kind {
        case .sent, .started: return
        case .succeeded: what = "done" + (event.result.map { " → \($0.serialized())" } ?? "")
        case .retried: what = "failed (\(event.error ?? "")), retry in \(AttemptTable.seconds(event.countdown ?? 0))"
        case .failed: what = "FAILED for good: \(event.error ?? "")"
        case .revoked: what = "revoked"
        }
        let line = String(format: "%7.2fs  ", Date().timeIntervalSince(start)) + "\(event.taskName) attempt \(event.attempt): \(what)\n"
        lock.lock()
        Swift.print(line, terminator: "")
        lock.unlock()
    }
}
