import Foundation

/// Group commit: the write batches of this process's executors that are
/// ready at the same moment share one database transaction.
///
/// SQLite lets one writer in at a time, and a commit costs more than most of
/// the writes in it; executors of one process taking turns for the lock made
/// two executors slower than one. The first executor to arrive leads: it
/// opens the transaction — batches that arrive while it waits for the write
/// lock join — runs every queued batch, its own and its neighbours', each in
/// a savepoint of its own, commits once and hands each its outcome. Batches
/// that arrive meanwhile wait for the next transaction, led by one of them.
/// A lone batch runs in the transaction directly.
///
/// Bodies run on the leader's thread, so everything they write joins its
/// transaction; they must not depend on the thread they run on, beyond
/// thread-local state they both set and read (`PersistenceFailure`).
///
/// Thread-safe. `@unchecked Sendable`: `queue` and `leading` are only
/// touched with `condition` locked; an entry's `outcome` is written by the
/// leader and read by its owner after `done`, both under that lock.
final class GroupCommit: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [Entry] = []
    private var leading = false

    private final class Entry {
        let body: () -> Bool
        var outcome: Bool?
        var done = false
        init(_ body: @escaping () -> Bool) { self.body = body }
    }

    /// Runs `body` in a transaction opened by `begin` (a savepoint when
    /// called again while it is open), shared with the other batches ready
    /// now. Returns what `body` returned (false: its writes were rolled back),
    /// or nil when the transaction could not be begun or committed — then
    /// none of its writes happened. `failed` reports a failed commit.
    func run(_ body: @escaping () -> Bool, begin: () -> StateTransaction?, failed: (ChorusError) -> Void) -> Bool? {
        let entry = Entry(body)
        condition.lock()
        queue.append(entry)
        while !entry.done {
            guard !leading else {
                condition.wait()
                continue
            }
            leading = true
            condition.unlock()
            // Open the transaction first: batches that arrive while it waits
            // for the write lock join this one.
            let transaction = begin()
            condition.lock()
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            condition.unlock()
            let outcomes = Self.commit(batch, in: transaction, begin: begin, failed: failed)
            condition.lock()
            for (member, outcome) in zip(batch, outcomes) {
                member.outcome = outcome
                member.done = true
            }
            leading = false
            condition.broadcast()
        }
        condition.unlock()
        return entry.outcome
    }

    private static func commit(
        _ batch: [Entry], in transaction: StateTransaction?, begin: () -> StateTransaction?, failed: (ChorusError) -> Void
    ) -> [Bool?] {
        guard let transaction else { return batch.map { _ in nil } }
        var outcomes: [Bool?] = []
        if batch.count == 1 {
            guard batch[0].body() else {
                transaction.rollback()
                return [false]
            }
            outcomes = [true]
        } else {
            for member in batch {
                guard let savepoint = begin() else {
                    outcomes.append(nil)
                    continue
                }
                if member.body() {
                    do throws(ChorusError) {
                        try savepoint.commit()
                        outcomes.append(true)
                    } catch {
                        failed(error)
                        outcomes.append(nil)
                    }
                } else {
                    savepoint.rollback()
                    outcomes.append(false)
                }
            }
        }
        do throws(ChorusError) {
            try transaction.commit()
            return outcomes
        } catch {
            failed(error)
            return batch.map { _ in nil }
        }
    }
}
