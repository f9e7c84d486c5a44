import Testing

@testable import Chorus

@Suite struct TaskStateTests {
    @Test func rawValuesAreCeleryStrings() {
        #expect(TaskState.allCases.map(\.rawValue) == ["PENDING", "RECEIVED", "STARTED", "RETRY", "SUCCESS", "FAILURE", "REVOKED"])
        #expect(TaskState(rawValue: "SUCCESS") == .success)
    }

    @Test func setsMatchCelery() {
        #expect(TaskState.ready == [.success, .failure, .revoked])
        #expect(TaskState.ready.isDisjoint(with: TaskState.unready))
        #expect(TaskState.ready.union(TaskState.unready) == Set(TaskState.allCases))
        #expect(TaskState.propagate == [.failure, .revoked])
        #expect(!TaskState.retry.isReady && TaskState.revoked.propagates)
    }
}
