/// A transaction over plugin state that can also hold messages back until it
/// commits: Django's `transaction.on_commit` for Chorus. Writes made in it
/// become visible, and its messages are enqueued, together at `commit()` or
/// not at all.
///
/// Other writers to the same store wait while a transaction is open. A
/// transaction belongs to the one thread that began it.
public protocol StateTransaction: AnyObject {
    func get(namespace: String, key: String) throws(ChorusError) -> String?
    func set(namespace: String, key: String, value: String) throws(ChorusError)
    func delete(namespace: String, key: String) throws(ChorusError) -> Bool
    func increment(namespace: String, key: String, by delta: Int64) throws(ChorusError) -> Int64
    func list(namespace: String, prefix: String) throws(ChorusError) -> [(key: String, value: String)]
    /// Holds `message` for `queue` until commit.
    func publish(_ message: TaskMessage, to queue: String) throws(ChorusError)
    /// Applies every write and enqueues every held message atomically. On an
    /// error nothing is applied. The transaction is over either way.
    func commit() throws(ChorusError)
    /// Discards everything. Safe to call after commit (does nothing).
    func rollback()
}
