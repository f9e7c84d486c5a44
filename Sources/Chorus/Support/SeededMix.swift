/// The hash of the hottest tables, for keys whose bits are already random
/// (generated task ids), counted out one by one (delivery tags) or chosen by
/// trusted code (registered task names): a multiply-xorshift mix with the
/// table's seed instead of `Hasher`'s SipHash. ~15 instructions instead of
/// ~150, on lookups every task makes several of.
///
/// Not a keyed cryptographic hash: code that can choose the keys could aim
/// for collisions, which slows lookups down but never mixes two keys up.
/// Each user says why its keys are not chosen by whoever sends work.
enum SeededMix {
    /// The high word scrambled by the seed and a multiply, the low word folded
    /// in, then MurmurHash3's 64-bit finalizer so that every input bit
    /// reaches the low bits a table indexes by.
    @inline(__always)
    static func hash(_ high: UInt64, _ low: UInt64, seed: Int) -> Int {
        var x = ((high ^ UInt64(truncatingIfNeeded: seed)) &* 0x9E37_79B9_7F4A_7C15) ^ low
        x ^= x >> 33
        x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x &*= 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return Int(truncatingIfNeeded: x)
    }
}
