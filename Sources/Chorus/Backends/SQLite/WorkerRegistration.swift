import Foundation

/// A worker process as `chorus worker` registers it in the database.
public struct WorkerRegistration: Sendable, Hashable {
    /// Unique per process run, e.g. `celery@host:pid` or a uuid.
    public var id: String
    public var hostname: String
    public var pid: Int
    public var queues: [String]
    public var concurrency: Int
    public var startedAt: Date

    public init(id: String, hostname: String, pid: Int, queues: [String], concurrency: Int, startedAt: Date) {
        self.id = id
        self.hostname = hostname
        self.pid = pid
        self.queues = queues
        self.concurrency = concurrency
        self.startedAt = startedAt
    }
}
