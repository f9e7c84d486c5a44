/// How many tasks an executor's next write batch begins: one, or more while
/// tasks take microseconds — as many as fill about `window` seconds at the
/// pace the last begun ones ran, up to `limit` (`RuntimeConfiguration.beginBatch`).
///
/// Each batch is a SQLite transaction, and the write lock it waits for is
/// shared by every worker process: with tasks of microseconds, one commit per
/// task was most of a task's cost (two worker processes spent their time
/// handing the lock to each other). Beginning a few short tasks together
/// shares their commit. A task marked STARTED waits at most about `window`
/// for the ones begun before it, and results show that much later; one slow
/// run falls back to a task per batch at once.
///
/// Real time (not the runtime's clock): it measures how fast this machine
/// runs the tasks. One per executor; a value type, not shared.
struct BeginSizer {
    /// Seconds of work a batch aims to begin.
    static let window = 0.002
    /// The most tasks one batch begins.
    let limit: Int

    /// Nanoseconds per task of the last begun ones; nil before any ran.
    private var pace: UInt64?

    init(limit: Int) { self.limit = max(1, limit) }

    /// The limit for the next batch.
    var nextLimit: Int {
        guard limit > 1, let pace else { return 1 }
        guard pace > 0 else { return limit }
        let wanted = Self.window * 1e9 / Double(pace)
        return Int(min(Double(limit), max(1, wanted.rounded(.down))))
    }

    /// Records that `count` begun tasks ran in `nanoseconds`.
    mutating func ran(_ count: Int, nanoseconds: UInt64) {
        guard count > 0 else { return }
        pace = nanoseconds / UInt64(count)
    }
}
