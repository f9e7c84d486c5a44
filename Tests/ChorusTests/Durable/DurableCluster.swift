import Foundation
import Testing
@testable import Chorus

/// A private directory with a SQLite database and `chorus worker` processes on
/// it, for tests of what survives processes: crashes, restarts, shutdowns.
final class DurableCluster: @unchecked Sendable {
    // Used from the one test that owns it.
    let directory: String
    let database: String
    let plugin: String
    private var workers: [ProcessRunner.Background] = []
    private var count = 0

    init() throws {
        directory = PluginBuilder.makePrivateDirectory(prefix: "chorus-durable")
        database = "\(directory)/chorus.db"
        plugin = try PluginBuilder.fixture("durable")
    }

    deinit { for w in workers { w.stop() } }

    /// Starts `chorus worker` on the database and waits until it is registered.
    func startWorker(concurrency: Int = 2, extra: [String] = []) throws -> ProcessRunner.Background {
        count += 1
        var environment = ProcessInfo.processInfo.environment
        environment["CHORUS_PLUGIN_PATH"] = nil
        let worker = try ProcessRunner.start(
            ChorusBinary.path,
            ["worker", "--db", database, "--plugin", plugin, "--concurrency", String(concurrency)] + extra,
            environment: environment, directory: directory, name: "worker\(count)")
        workers.append(worker)
        let deadline = Date().addingTimeInterval(30)
        while !worker.stderr.contains("ready:") {
            guard worker.process.isRunning, Date() < deadline else {
                throw PluginBuilder.BuildFailure(message: "worker did not start: \(worker.stderr)")
            }
            usleep(20_000)
        }
        return worker
    }

    func backend() throws -> SQLiteBackend { try SQLiteBackend(path: database) }

    /// A runtime that only publishes (never started), with the fixture and the bundled plugins loaded.
    func producer(_ backend: SQLiteBackend) throws -> Runtime {
        let registry = TaskRegistry()
        try registry.loadPlugin(at: plugin)
        try registry.loadPlugin(at: ChorusBinary.directory + "/libchorus-examples.so")
        return try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: 1), broker: backend, store: backend, state: backend)
    }

    /// How many times the fixture recorded a run of each id with `prefix`.
    func runs(_ backend: SQLiteBackend, prefix: String = "ran:") throws -> [String: Int] {
        var result: [String: Int] = [:]
        for item in try backend.list(namespace: "durable", prefix: prefix) {
            result[String(item.key.dropFirst(prefix.count))] = Int(item.value)
        }
        return result
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` seconds pass.
    func eventually(timeout: Double = 60, _ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }
}
