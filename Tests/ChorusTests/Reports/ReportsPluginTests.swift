import Foundation
import Testing
@testable import Chorus

/// The bundled reports plugin: the tutorial's workflows, deterministic under a
/// seed (each invocation's random stream depends only on the seed, the task,
/// the report id and the retry count) and fast under a small time scale.
@Suite struct ReportsPluginTests {
    static func runtime(seed: UInt64, scale: Double = 0.002) throws -> Runtime {
        let registry = TaskRegistry()
        try registry.loadPlugin(at: ChorusBinary.directory + "/libchorus-reports.so")
        let configuration = RuntimeConfiguration(concurrency: 9, timeScale: scale, random: SeededRandomSource(seed: seed))
        let runtime = try Runtime(registry: registry, configuration: configuration)
        runtime.start()
        return runtime
    }

    /// Creates a report and waits until all its work is over; returns its id and attempts.
    static func run(_ kind: String, seed: UInt64, firstID: Int64 = 1) throws -> (Runtime, Int64, [AttemptRecord]) {
        let rt = try runtime(seed: seed)
        if firstID > 1 { try rt.state.set(namespace: "reports", key: "report:seq", value: String(firstID - 1)) }
        let create = try rt.apply(.task(Signature("report_create", args: [.string(kind), .string("key-\(kind)")])))
        let id = try #require(create.wait(timeout: 30).int64Value)
        #expect(rt.waitUntilIdle(timeout: 60))
        return (rt, id, try create.attempts())
    }

    static func log(_ rt: Runtime, _ id: Int64) throws -> [JSON] {
        try rt.state.list(namespace: "reports", prefix: "log:\(id):").filter { !$0.key.hasSuffix(":seq") }
            .map { try JSON(parsing: $0.value) }
    }

    @Test func groupCallbackRunsBeforeTheLongTaskEnds() throws {
        let (rt, id, attempts) = try Self.run("group", seed: 1)
        defer { rt.shutdown() }
        let finished = try #require(attempts.first { $0.taskName == "report_group_finished" })
        let long = try #require(attempts.last { $0.taskName == "report_group_long" && $0.state == .success })
        #expect(try #require(finished.startedAt) < (try #require(long.finishedAt)))
        #expect(try rt.state.get(namespace: "reports", key: "report:\(id):status") == "finished")
        // Celery's group.link: the callback is attached to the first member only and fires once.
        #expect(attempts.filter { $0.taskName == "report_group_finished" }.count == 1)
    }

    @Test func chordCallbackRunsAfterAllThree() throws {
        let (rt, id, attempts) = try Self.run("chord", seed: 1)
        defer { rt.shutdown() }
        let finished = try #require(attempts.first { $0.taskName == "report_chord_finished" })
        let api = attempts.filter { ["report_chord_short", "report_chord_medium", "report_chord_long"].contains($0.taskName) }
        #expect(Set(api.map(\.taskName)).count == 3)
        let lastEnd = try #require(api.compactMap(\.finishedAt).max())
        #expect(try #require(finished.startedAt) >= lastEnd)
        #expect(try rt.state.get(namespace: "reports", key: "report:\(id):status") == "finished")
    }

    @Test func aReportWhoseIdIsAMultipleOfFiveEndsInErrorAfterSixAttempts() throws {
        let (rt, id, attempts) = try Self.run("chord", seed: 1, firstID: 5)
        defer { rt.shutdown() }
        #expect(id == 5)
        #expect(attempts.filter { $0.taskName == "report_chord_long" }.count == 6)
        #expect(attempts.filter { $0.taskName == "report_chord_error" }.count == 1)
        #expect(!attempts.contains { $0.taskName == "report_chord_finished" && $0.state == .success })
        let rows = try Self.log(rt, id)
        #expect(rows.filter { $0["task"] == "report_chord_long" }.count == 6)
        #expect(rows.filter { $0["task"] == "report_chord_long" }.allSatisfy { $0["status"] == "error" })
        #expect(rows.filter { $0["task"] == "report_chord_error" }.count == 1)
        #expect(try rt.state.get(namespace: "reports", key: "report:5:status") == "error")
    }

    @Test func transientFailuresAreRowsWithIncreasingRetryNumbers() throws {
        var found = false
        for seed: UInt64 in 1...30 where !found {
            let (rt, id, _) = try Self.run("chord", seed: seed)
            defer { rt.shutdown() }
            let rows = try Self.log(rt, id)
            for task in ["report_chord_short", "report_chord_medium", "report_chord_long"] {
                let retries = rows.filter { $0["task"] == .string(task) }.compactMap { $0["retry"]?.int64Value }
                guard retries.count > 1 else { continue }
                found = true
                #expect(retries == Array(0..<Int64(retries.count)), "\(task) rows: \(retries)")
                let statuses = rows.filter { $0["task"] == .string(task) }.compactMap { $0["status"]?.stringValue }
                #expect(statuses.dropLast().allSatisfy { $0 == "error" })
            }
        }
        #expect(found, "no seed in 1...30 produced a transient failure")
    }

    @Test func aMissingReportReturnsFalse() throws {
        let rt = try Self.runtime(seed: 1)
        defer { rt.shutdown() }
        #expect(try rt.apply(syntax: "report_group_short(999)").wait(timeout: 10) == false)
        #expect(try rt.apply(syntax: "report_chord_finished(999)").wait(timeout: 10) == false)
    }

    @Test func creatingAgainWithTheSameKeyDispatchesOnce() throws {
        let rt = try Self.runtime(seed: 1)
        defer { rt.shutdown() }
        let first = try rt.apply(syntax: #"report_create("group", "same-key")"#).wait(timeout: 10)
        let again = try rt.apply(syntax: #"report_create("group", "same-key")"#).wait(timeout: 10)
        #expect(first == again)
        #expect(rt.waitUntilIdle(timeout: 60))
        let rows = try Self.log(rt, 1)
        // Each API task's first attempt (retry 0) appears once: one workflow.
        for task in ["report_group_short", "report_group_medium", "report_group_long"] {
            #expect(rows.filter { $0["task"] == .string(task) && $0["retry"] == 0 }.count == 1)
        }
        #expect(try rt.state.get(namespace: "reports", key: "report:seq") == "1")
    }

    @Test func badKindsAndKeysAreRefused() throws {
        let rt = try Self.runtime(seed: 1)
        defer { rt.shutdown() }
        #expect(throws: ChorusError.self) { try rt.apply(syntax: #"report_create("weekly", "k")"#).wait(timeout: 10) }
        #expect(throws: ChorusError.self) { try rt.apply(syntax: #"report_create("group", "")"#).wait(timeout: 10) }
        #expect(try rt.state.get(namespace: "reports", key: "report:seq") == nil)
    }
}
