import ArgumentParser
import Chorus
import Foundation

/// `chorus inspect`: what the durable database holds and who works on it.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show queued, scheduled and running counts and the live workers.",
        discussion: """
            Opening a database only probes its structure (milliseconds at any size); --check
            also reads every page and index entry (about a second per GB) and fails with a
            "corrupt" error if any is damaged. Workers keep running meanwhile.

            Examples:
              chorus inspect
              chorus inspect --json
              chorus inspect --check
            """
    )

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Also check every page of the database for damage (about a second per GB).")
    var check = false

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let backend = try database.open()
        let report = try backend.inspect()
        // Throws the one-line "corrupt ... restore it from a backup" error.
        if check { try backend.checkIntegrity() }
        if json {
            var integrity: [String: JSON] = [:]
            if check { integrity["integrity"] = "ok" }
            print(JSON.object(integrity.reduce(into: [
                "database": .string(backend.path), "taken_at": .string(CeleryDate.format(report.takenAt)),
                "queues": .array(report.queues.map { q in
                    ["queue": .string(q.queue), "queued": .int(Int64(q.queued)), "scheduled": .int(Int64(q.scheduled)),
                     "running": .int(Int64(q.running)), "dead": .int(Int64(q.dead))]
                }),
                "workers": .array(report.workers.map { w in
                    ["id": .string(w.registration.id), "hostname": .string(w.registration.hostname),
                     "pid": .int(Int64(w.registration.pid)), "queues": .array(w.registration.queues.map(JSON.string)),
                     "concurrency": .int(Int64(w.registration.concurrency)),
                     "last_heartbeat": .string(CeleryDate.format(w.lastHeartbeat)), "stale": .bool(w.isStale)]
                }),
            ]) { $0[$1.key] = $1.value }).serialized())
            return
        }
        print("database \(backend.path)\(check ? ": integrity ok (every page checked)" : "")")
        if report.queues.isEmpty { print("queues: empty") }
        for q in report.queues {
            print("queue \(q.queue): \(q.queued) queued, \(q.scheduled) scheduled, \(q.running) running\(q.dead > 0 ? ", \(q.dead) unreadable (set aside)" : "")")
        }
        if report.workers.isEmpty { print("workers: none") }
        for w in report.workers {
            let age = Int(report.takenAt.timeIntervalSince(w.lastHeartbeat))
            print("worker \(w.registration.id): pid \(w.registration.pid), \(w.registration.concurrency) executors on \(w.registration.queues.joined(separator: ",")), last heartbeat \(age) s ago\(w.isStale ? " (stale: not seen for a while)" : "")")
        }
    }
}
