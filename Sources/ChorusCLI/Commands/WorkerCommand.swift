import ArgumentParser
import Chorus
import Foundation

/// `chorus worker`: a worker process on the durable database.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run tasks from the durable database until SIGTERM or SIGINT.",
        discussion: """
            Runs --concurrency executors consuming --queues from the SQLite database. Several workers (processes) can share one database; each message is claimed by exactly one.

            SIGTERM or SIGINT starts a warm shutdown: no new work is taken, running tasks finish, queued tasks stay queued. A second signal, or --shutdown-timeout, is a cold shutdown: the process exits at once and acks_late tasks are delivered again to another worker once their lease runs out.

            Examples:
              chorus worker
              chorus worker --concurrency 8 --queues celery,reports --db /var/lib/app/chorus.db
            """
    )

    @OptionGroup var runtimeOptions: RuntimeOptions
    @OptionGroup var pluginOptions: PluginOptions
    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Comma-separated queues to consume, in priority order.", valueName: "Q1,Q2"))
    var queues: String = "celery"

    @Option(name: .customLong("shutdown-timeout"), help: ArgumentHelp("Seconds a warm shutdown waits for running tasks before exiting anyway.", valueName: "S"))
    var shutdownTimeout: Double = 60

    @Option(help: ArgumentHelp("Seconds an acks_late task stays claimed without a renewal (runtime time) before another worker may run it.", valueName: "S"))
    var lease: Double = 60

    @Option(name: .customLong("max-deliveries"), help: ArgumentHelp("Deliveries after which a task whose worker keeps dying fails with a worker-lost error.", valueName: "N"))
    var maxDeliveries: Int = 3

    @Option(help: ArgumentHelp("Messages an executor claims at once; the ones it does not start at once wait for the next free executor of this worker (Celery's worker_prefetch_multiplier).", valueName: "N"))
    var prefetch: Int = 4

    @Option(name: .customLong("prefetch-burst"), help: ArgumentHelp("The most one claim takes while tasks finish within milliseconds (about 10 ms of work at a time); the same value as --prefetch turns this off.", valueName: "N"))
    var prefetchBurst: Int = 64

    @Option(name: .customLong("begin-batch"), help: ArgumentHelp("The most tasks an executor starts in one commit while tasks take microseconds (about 2 ms of work at a time). A crash loses the started tasks without acks_late that had not run yet; 1 starts each task in a commit of its own.", valueName: "N"))
    var beginBatch: Int = 32

    func run() throws {
        let queueList = queues.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !queueList.isEmpty, queueList.allSatisfy({ !$0.isEmpty }) else {
            throw ChorusError(.invalidInput, "--queues needs one or more comma-separated names, e.g. --queues celery,reports")
        }
        var configuration = runtimeOptions.configuration()
        configuration.queues = queueList
        configuration.leaseSeconds = lease
        configuration.maxDeliveries = maxDeliveries
        configuration.prefetch = prefetch
        configuration.prefetchBurst = prefetchBurst
        configuration.beginBatch = beginBatch
        let registry = try pluginOptions.makeRegistry()
        let backend = try database.open(scale: configuration.timeScale)
        let runtime = try Runtime(registry: registry, configuration: configuration, broker: backend, store: backend, state: backend)
        let worker = WorkerRegistration(
            id: "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UUID().uuidString.prefix(8).lowercased())",
            hostname: ProcessInfo.processInfo.hostName, pid: Int(getpid()), queues: queueList,
            concurrency: configuration.concurrency, startedAt: Date())
        try backend.registerWorker(worker)
        let log = WorkerLog()
        log.say("worker \(worker.id) ready: \(configuration.concurrency) executors on \(queueList.joined(separator: ",")), database \(backend.path), \(registry.tasks.count) tasks")
        let housekeeping = Housekeeping(backend: backend, workerID: worker.id, log: log)
        housekeeping.start()
        runtime.start()

        let stop = ShutdownSignals()
        stop.waitForFirst()
        log.say("warm shutdown: finishing running tasks (send the signal again to stop now)")
        stop.onSecond {
            log.say("cold shutdown: exiting now; acks_late tasks will be delivered again")
            Foundation.exit(1)
        }
        let drained = runtime.shutdown(timeout: shutdownTimeout)
        housekeeping.stop()
        _ = try? backend.unregisterWorker(id: worker.id)
        backend.close()
        if !drained {
            log.say("cold shutdown: running tasks did not finish within \(shutdownTimeout) s")
            Foundation.exit(1)
        }
        log.say("worker \(worker.id) stopped")
    }
}
