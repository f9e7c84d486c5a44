import OrderedCollections

/// The fields every canvas node carries (a task signature, a chain, a group,
/// a chord), so Celery's partial application (`Signature._merge`) is written once.
public protocol PartiallyApplicable: Sendable {
    var args: [JSON] { get set }
    var kwargs: OrderedDictionary<String, JSON> { get set }
    var options: SignatureOptions { get set }
    var immutable: Bool { get set }
}

extension PartiallyApplicable {
    /// A copy with partial arguments applied, exactly as Celery's `clone`/`_merge`:
    /// - `args` go in front of the stored args (`partial + stored`);
    /// - `kwargs` update the stored ones, so the partial value wins on a clash;
    /// - `options` override the stored ones, except `group_id`, `stamped_headers`
    ///   and stamped header names, which keep a stored value once set;
    /// - an immutable node keeps its args and kwargs; options are still merged.
    public func clone(
        args partialArgs: [JSON] = [],
        kwargs partialKwargs: OrderedDictionary<String, JSON> = [:],
        options incoming: SignatureOptions = [:]
    ) -> Self {
        var copy = self
        if !incoming.isEmpty { copy.options = options.merging(incoming) }
        if !immutable {
            if !partialArgs.isEmpty { copy.args = partialArgs + args }
            for (k, v) in partialKwargs { copy.kwargs[k] = v }
        }
        return copy
    }
}

extension SignatureOptions {
    /// Options with `incoming` applied on top; see ``PartiallyApplicable/clone(args:kwargs:options:)``.
    public func merging(_ incoming: SignatureOptions) -> SignatureOptions {
        var merged = self
        // Stamped header names are sticky too; the set is only built when
        // there are some (building it for every merge showed in profiles).
        var stamped: Set<String> = []
        for case .string(let name) in self[.stampedHeaders]?.arrayValue ?? [] { stamped.insert(name) }
        for entry in incoming.entries {
            let sticky = entry.code == .groupId || entry.code == .stampedHeaders || (!stamped.isEmpty && stamped.contains(entry.name))
            if sticky, let stored = self[entry.name], !stored.isNull { continue }
            merged.merge(entry)
        }
        return merged
    }
}

extension Signature: PartiallyApplicable {
    /// Adds a success callback (`link`), skipping one that is already there.
    public mutating func link(_ callback: Signature) {
        var list = options.link
        if !list.contains(callback) { list.append(callback) }
        options.link = list
    }

    /// Adds an errback (`link_error`), skipping one that is already there.
    public mutating func linkError(_ errback: Signature) {
        var list = options.linkError
        if !list.contains(errback) { list.append(errback) }
        options.linkError = list
    }
}
