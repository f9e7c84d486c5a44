import Foundation
import Testing
@testable import Chorus

/// Task ids come from per-thread pools of kernel randomness (`RandomBytes`).
@Suite struct RandomTaskIDsTests {
    @Test func idsFromManyThreadsAcrossPoolRefillsAreAllDistinct() {
        let perThread = 5_000  // 16 bytes each: many 512-byte pool refills per thread
        let results = LockProtected<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            var ids = RandomTaskIDs()
            let mine = (0..<perThread).map { _ in ids.next() }
            results.withLock { $0.append(contentsOf: mine) }
        }
        let all = results.withLock { $0 }
        #expect(all.count == 4 * perThread)
        #expect(Set(all).count == all.count)
    }

    @Test func fillingOddSizesUsesFreshBytesEveryTime() {
        // Lengths that straddle the pool boundary; no two draws may repeat.
        var seen = Set<[UInt8]>()
        for length in [1, 7, 33, 100, 511, 513, 1_500] {
            for _ in 0..<20 {
                var bytes = [UInt8](repeating: 0, count: length)
                bytes.withUnsafeMutableBytes { RandomBytes.fill($0) }
                if length >= 7 { #expect(seen.insert(bytes).inserted) }
            }
        }
        // 1,500 zero bytes in a row would mean the pool handed out unfilled memory.
        var large = [UInt8](repeating: 0, count: 1_500)
        large.withUnsafeMutableBytes { RandomBytes.fill($0) }
        #expect(large.filter { $0 == 0 }.count < 60)
    }

    @Test func formatWritesTheBitsAsFoundationsUUIDDoes() {
        var values: [(UInt64, UInt64)] = [(0, 0), (.max, .max), (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210)]
        for _ in 0..<200 { values.append(RandomBytes.next128()) }
        for (high, low) in values {
            var bytes = [UInt8]()
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: low >> UInt64(shift))) }
            let uuid = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                                   bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
            #expect(RandomTaskIDs.format(high: high, low: low) == uuid.uuidString.lowercased())
        }
    }
}
