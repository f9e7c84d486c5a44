/// Copy-on-write storage for a large value type.
///
/// The runtime hands task messages, result metas, attempt records and
/// signatures from thread to thread and from struct to struct. Stored inline,
/// each copy retained (and each drop released) every one of their strings and
/// arrays: a measurable share of every task. Wrapped in `CopyOnWrite`, a copy
/// is one retain of a shared box; the box is duplicated only when a shared
/// copy is mutated, so value semantics are unchanged.
///
/// `@unchecked Sendable` (for a `Sendable` value): the box is only mutated through `value`'s `_modify`,
/// which first makes it unique to the mutating copy; shared boxes are read-only.
struct CopyOnWrite<Value> {
    private final class Box {
        // Unchecked: mutated only through `_modify` once unique (see above), so
        // the runtime's per-access exclusivity check (~10% of a task) buys nothing.
        @exclusivity(unchecked) var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box

    init(_ value: Value) { box = Box(value) }

    var value: Value {
        _read { yield box.value }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.value) }
            yield &box.value
        }
    }
}

extension CopyOnWrite: Equatable where Value: Equatable {
    static func == (a: Self, b: Self) -> Bool { a.box === b.box || a.value == b.value }
}

extension CopyOnWrite: Hashable where Value: Hashable {
    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

extension CopyOnWrite: @unchecked Sendable where Value: Sendable {}
