/// The option names Chorus understands, as codes.
///
/// `SignatureOptions` tags each entry with its code (nil for a name Chorus
/// does not model), so the typed accessors, the freezer and the message
/// builder find an option by comparing one byte. As string keys of an
/// ordered dictionary, every read and write compared or hashed the name, and
/// freezing a chord member wrote five of them.
enum OptionName: UInt8, CaseIterable, Sendable {
    case taskId, groupId, groupIndex, rootId, parentId, chord, chain, link, linkError
    case queue, priority, countdown, eta, expires, timeLimit, softTimeLimit, ignoreResult, shadow
    case replyTo, headers, stampedHeaders
    case maxRetries, autoretry, retryBackoff, retryBackoffMax, retryJitter, defaultRetryDelay

    /// The name as Celery writes it.
    var name: String {
        switch self {
        case .taskId: "task_id"
        case .groupId: "group_id"
        case .groupIndex: "group_index"
        case .rootId: "root_id"
        case .parentId: "parent_id"
        case .chord: "chord"
        case .chain: "chain"
        case .link: "link"
        case .linkError: "link_error"
        case .queue: "queue"
        case .priority: "priority"
        case .countdown: "countdown"
        case .eta: "eta"
        case .expires: "expires"
        case .timeLimit: "time_limit"
        case .softTimeLimit: "soft_time_limit"
        case .ignoreResult: "ignore_result"
        case .shadow: "shadow"
        case .replyTo: "reply_to"
        case .headers: "headers"
        case .stampedHeaders: "stamped_headers"
        case .maxRetries: "max_retries"
        case .autoretry: "autoretry"
        case .retryBackoff: "retry_backoff"
        case .retryBackoffMax: "retry_backoff_max"
        case .retryJitter: "retry_jitter"
        case .defaultRetryDelay: "default_retry_delay"
        }
    }

    /// The code of a name; nil for a name Chorus does not model. One hash.
    init?(_ name: String) {
        guard let known = Self.byName[name] else { return nil }
        self = known
    }

    private static let byName: [String: OptionName] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })

    /// Says who a node is and where it sits; never handed to the members of a composite.
    var isPlacement: Bool {
        switch self {
        case .taskId, .groupId, .groupIndex, .chord, .chain, .rootId, .parentId, .link, .linkError: true
        default: false
        }
    }

    /// Overrides a task's retry policy for one call; travels in the message
    /// headers under its own name.
    var isRetryOverride: Bool {
        switch self {
        case .maxRetries, .autoretry, .retryBackoff, .retryBackoffMax, .retryJitter, .defaultRetryDelay: true
        default: false
        }
    }
}
