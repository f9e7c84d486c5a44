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

    @Test func resultsStoredUnderEitherFormAreFoundAgain() throws {
        let backend = MemoryBackend()
        let ids = ["0a1b2c3d-4e5f-4678-89ab-cdef01234567", "0A1B2C3D-4E5F-4678-89AB-CDEF01234567", "mine-1"]
        for (i, id) in ids.enumerated() {
            try backend.store(ResultMeta(taskID: id, state: .success, result: .int(Int64(i))))
        }
        #expect(try ids.map { try backend.result(for: $0)?.result } == [.int(0), .int(1), .int(2)])
        #expect(try backend.result(for: "0a1b2c3d-4e5f-4678-89ab-cdef01234568") == nil)
    }
}
