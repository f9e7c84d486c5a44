import Foundation
import OrderedCollections

/// Turns a frozen task signature from a `PublishPlan` into the v2 message a
/// broker carries: ids and group placement into headers, `countdown`/`eta`/
/// `expires` into absolute times, links, chain and chord into the embed, and
/// per-call retry overrides into Chorus headers.
enum MessageBuilder {
    /// The queue used when a signature names none (Celery's default).
    static let defaultQueue = "celery"

    /// Options that override a task's retry policy for one call; they travel
    /// in the message headers under the same names, in this order.
    static let retryOptions: [OptionName] = [.maxRetries, .autoretry, .retryBackoff, .retryBackoffMax, .retryJitter, .defaultRetryDelay]

    /// Header recording when the message was first sent (ISO-8601), so expiry
    /// can be measured on the runtime's scaled clock.
    static let sentHeader = "chorus_sent"

    static func message(for signature: Signature, now: Date) throws(ChorusError) -> (TaskMessage, queue: String) {
        let options = signature.options
        // One pass over the options (a handful of entries, each found by its
        // code) instead of a search per option Chorus knows: this runs for
        // every task published.
        var read = ReadOptions()
        // Read in place: iterating the entries copied each one (its name and value retained and released).
        options.entries.withUnsafeBufferPointer { entries in
            for i in entries.indices { if let code = entries[i].code { read.take(code, entries[i].value) } }
        }
        guard let id = read.taskId else {
            throw ChorusError(.internal, "signature for \(signature.task) was not frozen (no task_id)")
        }
        let (eta, expires) = try schedule(
            task: signature.task, countdown: read.countdown, eta: read.eta, expires: read.expires, now: now)
        var extra = OrderedDictionary<String, JSON>()
        if !read.retryOptions.isEmpty {
            for code in retryOptions {
                if let value = read.retryOptions.last(where: { $0.code == code })?.value { extra[code.name] = value }
            }
        }
        // Only expiry is measured from the send time; formatting a date for
        // every message was a measurable share of publishing.
        if expires != nil { extra[sentHeader] = .string(CeleryDate.format(now)) }
        let headers = TaskHeaders(
            task: signature.task, id: id, eta: eta, expires: expires, group: read.groupId,
            groupIndex: read.groupIndex, retries: 0,
            timeLimit: .init(hard: read.timeLimit, soft: read.softTimeLimit),
            rootID: read.rootId ?? id, parentID: read.parentId, origin: origin, ignoreResult: read.ignoreResult ?? false, extra: extra)
        let embed = TaskEmbed(
            callbacks: read.hasLink ? nonEmpty(options.link.map(\.json)) : nil,
            errbacks: read.hasLinkError ? nonEmpty(options.linkError.map(\.json)) : nil,
            chain: read.chain.flatMap(rawList),
            chord: read.chord.flatMap(firstRaw))
        return (TaskMessage(headers: headers, args: signature.args, kwargs: signature.kwargs, embed: embed), read.queue ?? defaultQueue)
    }

    /// When a message is due (`countdown` seconds from `now`, or `eta`) and
    /// when it expires (`expires` seconds from `now`, or that time).
    /// Throws `.invalidInput` for a number that is not finite or a time that
    /// does not parse: everything a message of a frozen signature can be refused for.
    static func schedule(
        task: String, countdown: Double?, eta etaText: String?, expires: SignatureOptions.Expiry?, now: Date
    ) throws(ChorusError) -> (eta: Date?, expires: Date?) {
        var eta: Date?
        if let countdown {
            guard countdown.isFinite else { throw ChorusError(.invalidInput, "\(task): countdown must be a finite number of seconds") }
            eta = now.addingTimeInterval(max(0, countdown))
        }
        if let text = etaText {
            guard let date = CeleryDate.parse(text) else {
                throw ChorusError(.invalidInput, "\(task): eta \"\(text)\" is not an ISO-8601 time with a time zone, e.g. 2026-11-26T10:00:00+00:00")
            }
            eta = date
        }
        switch expires {
        case .seconds(let s)?:
            guard s.isFinite else { throw ChorusError(.invalidInput, "\(task): expires must be a finite number of seconds") }
            return (eta, now.addingTimeInterval(s))
        case .at(let text)?:
            guard let date = CeleryDate.parse(text) else {
                throw ChorusError(.invalidInput, "\(task): expires \"\(text)\" is not an ISO-8601 time with a time zone")
            }
            return (eta, date)
        case nil:
            return (eta, nil)
        }
    }

    /// Throws the `.invalidInput` error ``message(for:now:)`` would throw for
    /// `signature` once frozen, without building its message: a canvas
    /// published as it is frozen is checked whole before its first message goes out.
    static func check(_ signature: Signature) throws(ChorusError) {
        let options = signature.options
        // Most signatures set none of the three: one pass over the options,
        // read in place, says so (three lookups cost ~240 instructions a task).
        let timed = options.entries.withUnsafeBufferPointer { entries in
            entries.indices.contains { i in entries[i].code == .countdown || entries[i].code == .eta || entries[i].code == .expires }
        }
        guard timed else { return }
        // The typed accessors read what `ReadOptions` reads (an option name, so its code, appears once).
        _ = try schedule(task: signature.task, countdown: options.countdown, eta: options.eta, expires: options.expires,
                         now: Date(timeIntervalSinceReferenceDate: 0))
    }

    /// The message `message(for:now:)` builds for a task signature with no
    /// options at all once it is frozen under `id` (its own root, no parent,
    /// default queue): the common `apply(.task(...))`, built without cloning
    /// and freezing a signature or reading options it does not have.
    static func plainMessage(task: String, args: [JSON], kwargs: OrderedDictionary<String, JSON>, id: String) -> TaskMessage {
        let headers = TaskHeaders(
            task: task, id: id, retries: 0, rootID: id, origin: origin)
        return TaskMessage(headers: headers, args: args, kwargs: kwargs, embed: TaskEmbed())
    }

    private static func nonEmpty(_ list: [JSON]) -> [JSON]? { list.isEmpty ? nil : list }

    /// The options a message is built from, read in one pass with the same
    /// typed conversions as `SignatureOptions`' accessors (a value of the
    /// wrong kind reads as absent).
    private struct ReadOptions {
        var taskId, groupId, rootId, parentId, eta, queue: String?
        var groupIndex: Int?
        var countdown, timeLimit, softTimeLimit: Double?
        var expires: SignatureOptions.Expiry?
        var ignoreResult: Bool?
        var hasLink = false
        var hasLinkError = false
        var chain: JSON?
        var chord: JSON?
        /// Retry overrides as found (rarely any: an empty array allocates nothing).
        var retryOptions: [(code: OptionName, value: JSON)] = []

        mutating func take(_ code: OptionName, _ value: JSON) {
            switch code {
            case .taskId: taskId = value.stringValue
            case .groupId: groupId = value.stringValue
            case .rootId: rootId = value.stringValue
            case .parentId: parentId = value.stringValue
            case .groupIndex: groupIndex = value.int64Value.flatMap { Int(exactly: $0) }
            case .eta: eta = value.stringValue
            case .queue: queue = value.stringValue
            case .countdown: countdown = value.numberValue
            case .timeLimit: timeLimit = value.numberValue
            case .softTimeLimit: softTimeLimit = value.numberValue
            case .expires:
                if case .string(let text) = value { expires = .at(text) } else { expires = value.numberValue.map(SignatureOptions.Expiry.seconds) }
            case .ignoreResult: ignoreResult = value.boolValue
            case .link: hasLink = true
            case .linkError: hasLinkError = true
            case .chain: chain = value
            case .chord: chord = value
            default:
                if code.isRetryOverride { retryOptions.append((code, value)) }
            }
        }
    }

    /// The signature dicts stored under `key`, as they are. The chain tail of
    /// an n-step chain holds up to n - 1 steps and is handed on at every step,
    /// and every member of an n-task chord header carries the body;
    /// decoding each into a `Signature` and encoding it back (what
    /// `options.chain` / `options.chord` do) cost a lot on large canvases.
    static func rawList(_ value: JSON) -> [JSON]? {
        switch value {
        case .array(let items): items.isEmpty ? nil : items
        case .object(let object): [.object(object)]
        default: nil
        }
    }

    /// `rawList(value)?.first` without building the list: a one-element
    /// array for the chord body every chord member carries, built and
    /// freed per member.
    static func firstRaw(_ value: JSON) -> JSON? {
        switch value {
        case .array(let items): items.first
        case .object: value
        default: nil
        }
    }

    /// Celery's `origin` header: `gen<pid>@<host>`.
    static let origin: String = "gen\(getpid())@\(ProcessInfo.processInfo.hostName)"

    /// The retry overrides a message carries.
    static func retryOverrides(_ headers: TaskHeaders) -> SignatureOptions {
        var options = SignatureOptions()
        for code in retryOptions {
            if let value = headers.extra[code.name] { options[code] = value }
        }
        return options
    }
}
