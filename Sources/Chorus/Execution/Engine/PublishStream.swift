import Foundation

/// The ``FreezerSink`` behind `Runtime.apply` on a backend that does not
/// publish a canvas in one transaction (the memory backend): it registers
/// each chord as the freezer meets it, builds each message as it is frozen
/// and sends them to the broker in batches of `Runtime.publishBatch`.
///
/// Why: built whole before the first message went out, a 10,000-member
/// chord kept the executors idle for about half its wall time while the
/// caller froze and built it. Streamed, they start on the first batch while
/// the caller freezes the rest.
///
/// What stays the same: the messages, their order and ids, the `sent`
/// events (each reported just before its batch reaches the broker), and
/// each chord registered before any of its members is published.
///
/// Nothing is published for a canvas `apply` refuses: the freezer checks
/// (``sendsAsItGoes``) the whole canvas for what a message can be refused
/// for — an empty chain, a bad `countdown`, `eta` or `expires` — before the
/// first one is built, and `apply` checks task names before freezing. What
/// can still fail midway is the backend: a broker closed by a concurrent
/// `shutdown`, or a chord counter that cannot be stored. The batches sent
/// before then stay published (on the memory backend, messages die with the
/// process anyway). The SQLite backend does not stream: `publishWhole`
/// publishes a canvas in one transaction, all or nothing.
struct PublishStream: FreezerSink {
    static var sendsAsItGoes: Bool { true }

    let runtime: Runtime
    /// The send time: what countdowns and expiry count from, and the time of the `sent` events.
    let now: Date
    /// Messages built and not sent yet.
    private var batch: [(message: TaskMessage, queue: String)] = []
    /// The `root_id` of the first message (every message carries one): the workflow's root.
    private(set) var rootID: String?

    init(runtime: Runtime) {
        self.runtime = runtime
        now = runtime.configuration.clock.now
    }

    func register(_ registration: ChordRegistration) throws(ChorusError) {
        try runtime.register(registration)
    }

    mutating func publish(_ signature: Signature) throws(ChorusError) {
        if rootID == nil { rootID = signature.options.rootId }
        batch.append(try MessageBuilder.message(for: signature, now: now))
        if batch.count == Runtime.publishBatch { try flush() }
    }

    /// Sends the messages built since the last batch; call it once the freezer is done.
    mutating func flush() throws(ChorusError) {
        guard !batch.isEmpty else { return }
        try runtime.send(batch[...], at: now)
        batch.clearKeepingCapacity()
    }
}
