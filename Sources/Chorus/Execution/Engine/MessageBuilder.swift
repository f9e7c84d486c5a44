import Foundation
import OrderedCollections

/// Turns a frozen task signature from a `PublishPlan` into the v2 message a
/// broker carries: ids and group placement into headers, `countdown`/`eta`/
/// `expires` into absolute times, links, chain and chord into the embed, and
/// per-call retry overrides into Chorus headers.
enum MessageBuilder {
    /// The queue used when a signature names none (Celery's default).
    static let defaultQueue = "celery"

    /// Option names that override a task's retry policy for one call; they
    /// travel in the message headers under the same names.
    static let retryOptionNames = ["max_retries", "autoretry", "retry_backoff", "retry_backoff_max", "retry_jitter", "default_retry_delay"]

    /// Header recording when the message was first sent (ISO-8601), so expiry
    /// can be measured on the runtime's scaled clock.
    static let sentHeader = "chorus_sent"

    static func message(for signature: Signature, now: Date) throws(ChorusError) -> (TaskMessage, queue: String) {
        let options = signature.options
        guard let id = options.taskId else {
            throw ChorusError(.internal, "signature for \(signature.task) was not frozen (no task_id)")
        }
        var eta: Date?
        if let countdown = options.countdown {
            guard countdown.isFinite else { throw ChorusError(.invalidInput, "\(signature.task): countdown must be a finite number of seconds") }
            eta = now.addingTimeInterval(max(0, countdown))
        }
        if let text = options.eta {
            guard let date = CeleryDate.parse(text) else {
                throw ChorusError(.invalidInput, "\(signature.task): eta \"\(text)\" is not an ISO-8601 time with a time zone, e.g. 2026-11-26T10:00:00+00:00")
            }
            eta = date
        }
        var expires: Date?
        switch options.expires {
        case .seconds(let s)?:
            guard s.isFinite else { throw ChorusError(.invalidInput, "\(signature.task): expires must be a finite number of seconds") }
            expires = now.addingTimeInterval(s)
        case .at(let text)?:
            guard let date = CeleryDate.parse(text) else {
                throw ChorusError(.invalidInput, "\(signature.task): expires \"\(text)\" is not an ISO-8601 time with a time zone")
            }
            expires = date
        case nil:
            break
        }
        var extra = OrderedDictionary<String, JSON>()
        for name in retryOptionNames {
            if let value = options[name] { extra[name] = value }
        }
        extra[sentHeader] = .string(CeleryDate.format(now))
        let headers = TaskHeaders(
            task: signature.task, id: id, eta: eta, expires: expires, group: options.groupId,
            groupIndex: options.groupIndex, retries: 0,
            timeLimit: .init(hard: options.timeLimit, soft: options.softTimeLimit),
            rootID: options.rootId ?? id, parentID: options.parentId,
            argsRepr: JSON.array(signature.args).serialized(), kwargsRepr: JSON.object(signature.kwargs).serialized(),
            origin: origin, ignoreResult: options.ignoreResult ?? false, extra: extra)
        let embed = TaskEmbed(
            callbacks: options.link.isEmpty ? nil : options.link.map(\.json),
            errbacks: options.linkError.isEmpty ? nil : options.linkError.map(\.json),
            chain: rawList(options, "chain"),
            chord: rawList(options, "chord")?.first)
        return (TaskMessage(headers: headers, args: signature.args, kwargs: signature.kwargs, embed: embed), options.queue ?? defaultQueue)
    }

    /// The signature dicts stored under `key`, as they are. The chain tail of
    /// an n-step chain holds up to n - 1 steps and is handed on at every step,
    /// and every member of an n-task chord header carries the body;
    /// decoding each into a `Signature` and encoding it back (what
    /// `options.chain` / `options.chord` do) cost a lot on large canvases.
    static func rawList(_ options: SignatureOptions, _ key: String) -> [JSON]? {
        switch options[key] {
        case .array(let items)?: items.isEmpty ? nil : items
        case .object(let object)?: [.object(object)]
        default: nil
        }
    }

    /// Celery's `origin` header: `gen<pid>@<host>`.
    static let origin: String = "gen\(getpid())@\(ProcessInfo.processInfo.hostName)"

    /// The retry overrides a message carries.
    static func retryOverrides(_ headers: TaskHeaders) -> SignatureOptions {
        var options = SignatureOptions()
        for name in retryOptionNames {
            if let value = headers.extra[name] { options.values[name] = value }
        }
        return options
    }
}
