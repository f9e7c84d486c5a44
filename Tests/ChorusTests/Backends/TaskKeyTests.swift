import Testing

@testable import Chorus

/// The memory backend keys its tables by `TaskKey`: distinct ids must stay
/// distinct keys, whatever their form.
@Suite struct TaskKeyTests {
    @Test func generatedIdsAreHeldAsBitsAndEqualOnlyToThemselves() {
        var ids = RandomTaskIDs()
        let generated = (0..<1_000).map { _ in ids.next() }
        let keys = generated.map(TaskKey.init)
        #expect(keys.allSatisfy { $0.isCompact })
        #expect(Set(keys).count == 1_000)
        #expect(zip(generated, keys).allSatisfy { TaskKey($0) == $1 && TaskKey($0).hashValue == $1.hashValue })
    }

    @Test func anyOtherFormKeepsItsTextAndNeverMatchesACanonicalId() {
        let canonical = "0a1b2c3d-4e5f-4678-89ab-cdef01234567"
        let lookalikes = [
            canonical.uppercased(),                      // same bits, different text
            "0a1b2c3d4e5f-4678-89ab-cdef01234567-",      // dashes moved
            "0a1b2c3d-4e5f-4678-89ab-cdef0123456",       // one digit short
            "0a1b2c3d-4e5f-4678-89ab-cdef012345678",     // one digit long
            "0a1b2c3d-4e5f-4678-89ab-cdef0123456g",      // not hex
            "{0a1b2c3d-4e5f-4678-89ab-cdef01234567}",
            "task-1", "", "ü-ü",
        ]
        #expect(TaskKey(canonical).isCompact)
        for text in lookalikes {
            #expect(!TaskKey(text).isCompact, "\(text)")
            #expect(TaskKey(text) != TaskKey(canonical), "\(text)")
            #expect(TaskKey(text) == TaskKey(text))
        }
        #expect(Set((lookalikes + [canonical]).map(TaskKey.init)).count == lookalikes.count + 1)
    }

    @Test func aWrongByteAtAnyPositionKeepsTheText() {
        let canonical = Array("0a1b2c3d-4e5f-4678-89ab-cdef01234567".utf8)
        for position in canonical.indices {
            for wrong in ["A", "g", "-", " ", "0"].map({ UInt8(ascii: Unicode.Scalar($0)!) }) where wrong != canonical[position] {
                var bytes = canonical
                bytes[position] = wrong
                let text = String(decoding: bytes, as: UTF8.self)
                // Only a digit swapped for another digit is still canonical.
                let stillCanonical = [8, 13, 18, 23].contains(position) ? false : wrong == UInt8(ascii: "0")
                #expect(TaskKey(text).isCompact == stillCanonical, "\(text)")
                #expect(TaskKey(text) != TaskKey(String(decoding: canonical, as: UTF8.self)), "\(text)")
            }
        }
    }

    /// The word-at-a-time parser against a plain reading, for every byte
    /// value at every position of a few ids.
    @Test func theBitsMatchAPlainHexReadingAndEveryOtherByteIsRefused() {
        func reference(_ bytes: [UInt8]) -> (high: UInt64, low: UInt64)? {
            guard bytes.count == 36 else { return nil }
            var digits: [UInt8] = []
            for (i, b) in bytes.enumerated() {
                if [8, 13, 18, 23].contains(i) {
                    guard b == UInt8(ascii: "-") else { return nil }
                } else {
                    guard (0x30...0x39).contains(b) || (0x61...0x66).contains(b) else { return nil }
                    digits.append(b)
                }
            }
            let text = String(decoding: digits, as: UTF8.self)
            return (UInt64(text.prefix(16), radix: 16)!, UInt64(text.suffix(16), radix: 16)!)
        }
        func parsed(_ bytes: [UInt8]) -> (high: UInt64, low: UInt64)? {
            bytes.withUnsafeBufferPointer { TaskKey.canonicalUUID($0) }
        }
        var ids = RandomTaskIDs()
        let samples = ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
                       "0123abcd-4567-89ef-fedc-ba9876543210"] + (0..<3).map { _ in ids.next() }
        for sample in samples {
            let canonical = Array(sample.utf8)
            #expect(parsed(canonical)! == reference(canonical)!, "\(sample)")
            for position in canonical.indices {
                for value in 0...255 {
                    var bytes = canonical
                    bytes[position] = UInt8(value)
                    let expected = reference(bytes)
                    let got = parsed(bytes)
                    #expect(got?.high == expected?.high && got?.low == expected?.low, "byte \(value) at \(position) of \(sample)")
                }
            }
        }
    }

    @Test func resultsStoredUnderEitherFormAreFoundAgain() throws {
        let backend = MemoryBackend()
        let ids = ["0a1b2c3d-4e5f-4678-89ab-cdef01234567", "0A1B2C3D-4E5F-4678-89AB-CDEF01234567", "mine-1"]
        for (i, id) in ids.enumerated() {
            try backend.store(ResultMeta(taskID: id, state: .success, result: .int(Int64(i))))
        }
        #expect(try ids.map { try backend.result(for: $0)?.result } == [.int(0), .int(1), .int(2)])
        #expect(try backend.result(for: "0a1b2c3d-4e5f-4678-89ab-cdef01234568") == nil)
    }

    /// The tables hash these keys with `SeededMix`, not SipHash: generated
    /// ids and counted tags must still spread over a table's buckets (a
    /// table indexes by the low bits), whatever the seed.
    @Test func theFastHashSpreadsIdsAndCountedTagsOverBuckets() {
        func largestBucket(_ hashes: [Int], buckets: Int = 1_024) -> Int {
            var counts = [Int](repeating: 0, count: buckets)
            for h in hashes { counts[h & (buckets - 1)] += 1 }
            return counts.max()!
        }
        var ids = RandomTaskIDs()
        let keys = (0..<8_192).map { _ in TaskKey(ids.next()) }
        let tags = (1...8_192).map { CountedKey(UInt64($0)) }
        for seed in [0, 1, -1, 0x5DEE_CE66_D, Int.max] {
            // 8 keys per bucket on average; a bucket of 32 has odds near 1e-10.
            #expect(largestBucket(keys.map { $0._rawHashValue(seed: seed) }) < 32, "seed \(seed)")
            #expect(largestBucket(tags.map { $0._rawHashValue(seed: seed) }) < 32, "seed \(seed)")
            #expect(Set(keys.map { $0._rawHashValue(seed: seed) }).count == keys.count)
        }
        // A different seed moves every key: a table's layout is not predictable from its keys alone.
        #expect(zip(keys.map { $0._rawHashValue(seed: 1) }, keys.map { $0._rawHashValue(seed: 2) }).allSatisfy { $0 != $1 })
        // Ids in another form keep the string's own hash.
        #expect(TaskKey("task-1")._rawHashValue(seed: 7) == "task-1"._rawHashValue(seed: 7))
    }
}
