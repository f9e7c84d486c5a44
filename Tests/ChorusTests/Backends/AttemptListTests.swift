import Testing
@testable import Chorus

/// `AttemptList` behaves as the array it replaced, its first record inline.
@Suite struct AttemptListTests {
    typealias Stored = MemoryBackend.StoredAttempt

    static func stored(_ attempt: Int, sequence: UInt64 = 0) -> Stored {
        Stored(record: AttemptRecord(taskID: "t", taskName: "n", attempt: attempt, state: .success), sequence: sequence, expiresAt: nil)
    }

    static func attempts(_ list: MemoryBackend.AttemptList) -> [Int] { list.map(\.record.attempt) }

    @Test func insertsAppendsAndRemovesLikeAnArray() {
        var list = MemoryBackend.AttemptList()
        #expect(list.isEmpty)
        list.append(Self.stored(2))
        list.insert(Self.stored(1), at: 0)   // before the inline head
        list.append(Self.stored(4))
        list.insert(Self.stored(3), at: 2)
        #expect(Self.attempts(list) == [1, 2, 3, 4])
        #expect(list.remove(at: 0).record.attempt == 1)   // the next one moves inline
        #expect(Self.attempts(list) == [2, 3, 4])
        #expect(list.remove(at: 1).record.attempt == 3)
        #expect(list.remove(at: 0).record.attempt == 2)
        #expect(list.remove(at: 0).record.attempt == 4)
        #expect(list.isEmpty)
        list.insert(Self.stored(5), at: 0)
        #expect(Self.attempts(list) == [5])
    }

    @Test func replacesInPlace() {
        var list = MemoryBackend.AttemptList()
        list.append(Self.stored(1))
        list.append(Self.stored(2))
        list[0].sequence = 7
        list[1].sequence = 8
        #expect(list.map(\.sequence) == [7, 8])
        #expect(list.last?.record.attempt == 2)
    }

    @Test func putKeepsAttemptOrder() {
        var list = MemoryBackend.AttemptList()
        let record = { (n: Int) in AttemptRecord(taskID: "t", taskName: "n", attempt: n, state: .started) }
        #expect(MemoryBackend.ResultState.put(record(2), sequence: 1, expiresAt: nil, into: &list) == nil)
        #expect(MemoryBackend.ResultState.put(record(1), sequence: 2, expiresAt: nil, into: &list) == nil)
        let ended = AttemptRecord(taskID: "t", taskName: "n", attempt: 2, state: .success)
        #expect(MemoryBackend.ResultState.put(ended, sequence: 3, expiresAt: nil, into: &list) == record(2))
        #expect(Self.attempts(list) == [1, 2])
        #expect(list[1].record.state == .success)
    }
}
