import Foundation
import Testing
@testable import Chorus

/// `chorus report` and `chorus demo` on the built binary, across processes.
@Suite(.serialized) struct ReportCommandTests {
    @Test func createInOneProcessRunInAWorkerShowInAThird() throws {
        let cluster = try DurableCluster()
        _ = try cluster.startWorker(concurrency: 4, extra: ["--time-scale", "0.005", "--seed", "3"])
        let create = try ChorusBinary.run(["report", "create", "--group", "--wait", "--timeout", "60", "--db", cluster.database])
        #expect(create.status == 0, "\(create.stderr)")
        let lines = create.stdout.split(separator: "\n")
        #expect(lines.first == "1")
        #expect(lines.last?.hasPrefix("report 1: ") == true)
        let show = try ChorusBinary.run(["report", "show", "1", "--db", cluster.database])
        #expect(show.status == 0)
        #expect(show.stdout.hasPrefix("report 1: group, "))
        for task in ["report_group_short", "report_group_medium", "report_group_long"] {
            #expect(show.stdout.contains(task), "\(show.stdout)")
        }
        let list = try ChorusBinary.run(["report", "list", "--kind", "group", "--db", cluster.database])
        #expect(list.stdout.contains("1     group"))
        let none = try ChorusBinary.run(["report", "list", "--kind", "chord", "--db", cluster.database])
        #expect(none.stdout.split(separator: "\n").count == 1)
    }

    @Test func badReportInputsAreOneLineErrors() throws {
        let dir = PluginBuilder.makePrivateDirectory(prefix: "chorus-report")
        let db = "\(dir)/r.db"
        let both = try ChorusBinary.run(["report", "create", "--group", "--chord", "--db", db])
        #expect(both.status == 65)
        #expect(both.stderr.contains("--group or --chord"))
        let missing = try ChorusBinary.run(["report", "show", "42", "--db", db])
        #expect(missing.status == 65)
        #expect(missing.stderr.contains("no report 42"))
        let status = try ChorusBinary.run(["report", "list", "--status", "done", "--db", db])
        #expect(status.stderr.contains("--status must be processing, error or finished"))
    }

    @Test func theDemoStatesTheLessonsItObserved() throws {
        let dir = PluginBuilder.makePrivateDirectory(prefix: "chorus-demo")
        let run = try ChorusBinary.run(["demo", "--time-scale", "0.005", "--seed", "1", "--db", "\(dir)/demo.db"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("created report 1 (group), 2 (chord), 5 (chord, id a multiple of 5)"))
        #expect(run.stdout.contains("Group report 1: report_group_finished ran at"))
        // Seed 1: the short task (9 s) finishes long before the long one (retried, then 67 s).
        #expect(run.stdout.contains("before all its tasks had finished"), "\(run.stdout)")
        #expect(run.stdout.contains("only after all three tasks had finished"), "\(run.stdout)")
        #expect(run.stdout.contains("Chord report 2: report_chord_finished ran at"))
        #expect(run.stdout.contains("Chord report 5 (id a multiple of 5): ended error after 6 attempts of its long task (1 + max_retries 5), with 1 error callback"))
        // The reports stay in the database for `chorus report`.
        let list = try ChorusBinary.run(["report", "list", "--status", "error", "--db", "\(dir)/demo.db"])
        #expect(list.stdout.contains("5     chord  error"))
    }
}
