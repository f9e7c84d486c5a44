/// A number the broker counts out (a delivery tag, a delayed message's
/// sequence) as a table key hashed with `SeededMix`.
struct CountedKey: Hashable {
    let number: UInt64

    init(_ number: UInt64) { self.number = number }

    func _rawHashValue(seed: Int) -> Int { SeededMix.hash(number, 0, seed: seed) }
}
