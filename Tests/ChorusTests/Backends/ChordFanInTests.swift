import Foundation
import Testing

@testable import Chorus

@Suite struct ChordFanInTests {
    func part(_ index: Int, _ state: TaskState = .success) -> ChordPart {
        ChordPart(taskID: "t\(index)", groupIndex: index, state: state, result: .int(Int64(index * 10)))
    }

    @Test func completesOnceInGroupIndexOrder() throws {
        let store = MemoryBackend(clock: ManualClock())
        #expect(try store.setChordSize(3, forGroup: "g") == .waiting(ready: 0, size: 3))
        #expect(try store.recordChordPart(part(2), forGroup: "g") == .waiting(ready: 1, size: 3))
        #expect(try store.recordChordPart(part(2), forGroup: "g") == .duplicate(ready: 1, size: 3))
        #expect(try store.recordChordPart(part(0, .failure), forGroup: "g") == .waiting(ready: 2, size: 3))
        let outcome = try store.recordChordPart(part(1), forGroup: "g")
        #expect(outcome.completedParts?.map(\.groupIndex) == [0, 1, 2])
        #expect(outcome.completedParts?.map(\.state) == [.failure, .success, .success])
        #expect(try store.recordChordPart(part(1), forGroup: "g") == .alreadyCompleted)
        #expect(try store.setChordSize(3, forGroup: "g") == .alreadyCompleted)
    }

    @Test func partsBeforeTheSizeAreCountedWhenItArrives() throws {
        let store = MemoryBackend(clock: ManualClock())
        #expect(try store.recordChordPart(part(0), forGroup: "g") == .waiting(ready: 1, size: nil))
        #expect(try store.recordChordPart(part(1), forGroup: "g") == .waiting(ready: 2, size: nil))
        #expect(try store.setChordSize(2, forGroup: "g").completedParts?.count == 2)
        #expect(try store.setChordSize(0, forGroup: "empty").completedParts == [])
        #expect(throws: ChorusError(.invalidInput, "")) { try store.setChordSize(-1, forGroup: "bad") }
    }

    @Test func exactlyOnceUnderEightConcurrentThreadsWithDuplicates() throws {
        let store = MemoryBackend()
        let size = 40
        _ = try store.setChordSize(size, forGroup: "g")
        let completions = Recorder<[ChordPart]>()
        let duplicates = LockProtected(0)
        let gate = DispatchSemaphore(value: 0)
        let finished = (0..<8).map { thread in
            runOnThread {
                gate.wait()
                // Every thread reports every part (redeliveries), each in its own order.
                var order = Array(0..<size)
                var generator = Xoshiro256StarStar(seed: UInt64(thread))
                order.shuffle(using: &generator)
                for index in order {
                    switch try? store.recordChordPart(self.part(index), forGroup: "g") {
                    case .completed(let parts): completions.append(parts)
                    case .duplicate: duplicates.withLock { $0 += 1 }
                    default: break
                    }
                }
            }
        }
        for _ in 0..<8 { gate.signal() }
        for done in finished { #expect(done.wait(seconds: 10)) }
        #expect(completions.count == 1)
        let parts = try #require(completions.values.first)
        #expect(parts.map(\.groupIndex) == Array(0..<size))
        #expect(parts.map(\.result) == (0..<size).map { .int(Int64($0 * 10)) })
        #expect(duplicates.withLock { $0 } <= 7 * size)
    }
}
