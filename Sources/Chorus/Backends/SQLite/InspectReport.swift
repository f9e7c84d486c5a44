import Foundation

/// What `SQLiteBackend.inspect` reports: message counts per queue and the
/// registered workers.
public struct InspectReport: Sendable, Hashable {
    /// Counts for one queue.
    public struct QueueCounts: Sendable, Hashable {
        public var queue: String
        /// Due now and waiting for a worker (including lapsed leases).
        public var queued: Int
        /// Waiting for a future eta (countdowns, retries).
        public var scheduled: Int
        /// Leased by a worker whose lease has not lapsed.
        public var running: Int
        /// Set aside because they could not be decoded; never delivered.
        public var dead: Int

        public init(queue: String, queued: Int, scheduled: Int, running: Int, dead: Int = 0) {
            self.queue = queue
            self.queued = queued
            self.scheduled = scheduled
            self.running = running
            self.dead = dead
        }
    }

    /// A registered worker and how recently it was heard from.
    public struct Worker: Sendable, Hashable {
        public var registration: WorkerRegistration
        public var lastHeartbeat: Date
        /// No heartbeat within the `staleAfter` given to `inspect`: probably dead.
        public var isStale: Bool
    }

    /// Wall time of the snapshot.
    public var takenAt: Date
    /// Queues that hold any message, by name.
    public var queues: [QueueCounts]
    /// By id.
    public var workers: [Worker]
}
