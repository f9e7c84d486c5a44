/// Where ``Freezer`` hands what a canvas publishes, in the order of the
/// ``PublishPlan`` contract: each chord registration before any member of
/// that chord, and the frozen messages in publishing order.
protocol FreezerSink {
    /// True when ``publish(_:)`` sends messages on before the freezer is
    /// done. Before emitting anything, the freezer then also checks what
    /// building a message could refuse — each published task's `countdown`,
    /// `eta` and `expires` (it refuses an empty chain anyway) — so a
    /// refused canvas publishes nothing.
    static var sendsAsItGoes: Bool { get }

    /// A chord met while emitting, before any of its header members.
    mutating func register(_ registration: ChordRegistration) throws(ChorusError)

    /// A frozen plain-task signature to publish, in order.
    mutating func publish(_ signature: Signature) throws(ChorusError)
}

/// The sink behind ``Canvas/prepare(partialArgs:partialKwargs:options:idGenerator:)``:
/// collects the registrations and messages of a ``PublishPlan``.
struct PlanCollector: FreezerSink {
    static var sendsAsItGoes: Bool { false }

    var registrations: [ChordRegistration] = []
    var messages: [Signature] = []

    mutating func register(_ registration: ChordRegistration) { registrations.append(registration) }

    mutating func publish(_ signature: Signature) { messages.append(signature) }
}
