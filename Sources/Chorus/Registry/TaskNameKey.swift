/// A registered task's name as the registry's table key, hashed with FNV-1a
/// over its bytes and `SeededMix` instead of SipHash: every `apply` looks a
/// name up, and hashing it was half of that lookup's ~700 instructions.
///
/// The names stored come from loaded plugins and the program's own
/// registrations, never from the work looked up, so no one sending tasks can
/// aim names at one bucket.
struct TaskNameKey: Hashable {
    let name: String

    init(_ name: String) { self.name = name }

    func _rawHashValue(seed: Int) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return SeededMix.hash(hash, 0, seed: seed)
    }
}
