import Foundation
import Testing

@testable import Chorus

/// `ResultMeta` and `AttemptRecord` keep their rarely set fields in a box of
/// their own; they must still behave as plain values.
@Suite struct RecordValueTests {
    let error = TaskErrorInfo(type: "TaskError", message: "boom")

    @Test func aMetaBuiltWithRareFieldsEqualsOneGivenThemLater() {
        let built = ResultMeta(
            taskID: "t", state: .failure, error: error, traceback: "tb", children: [.string("c")], worker: "w1")
        var later = ResultMeta(taskID: "t", state: .failure)
        later.error = error
        later.traceback = "tb"
        later.children = [.string("c")]
        later.worker = "w1"
        #expect(built == later)
        #expect(built.hashValue == later.hashValue)
        #expect(later.error == error && later.traceback == "tb" && later.children == [.string("c")] && later.worker == "w1")
    }

    @Test func clearingEveryRareFieldOfAMetaMakesItEqualToAPlainOne() {
        var meta = ResultMeta(taskID: "t", state: .success, result: 3, error: error, worker: "w1")
        meta.error = nil
        meta.worker = nil
        #expect(meta == ResultMeta(taskID: "t", state: .success, result: 3))
        #expect(meta.hashValue == ResultMeta(taskID: "t", state: .success, result: 3).hashValue)
        #expect(meta.children.isEmpty && meta.traceback == nil)
    }

    @Test func changingACopysRareFieldLeavesTheOriginalAlone() {
        let original = ResultMeta(taskID: "t", state: .failure, error: error)
        var copy = original
        copy.error = TaskErrorInfo(type: "Other", message: "changed")
        copy.children.append(.int(1))
        #expect(original.error == error && original.children.isEmpty)
        #expect(copy.error?.type == "Other" && copy.children == [.int(1)])
    }

    @Test func anAttemptRecordsRareFieldsBehaveTheSame() {
        let built = AttemptRecord(
            taskID: "t", taskName: "n", attempt: 2, state: .retry, errorType: "Retry", errorMessage: "again",
            nextCountdown: 4)
        var later = AttemptRecord(taskID: "t", taskName: "n", attempt: 2, state: .retry)
        later.errorType = "Retry"
        later.errorMessage = "again"
        later.nextCountdown = 4
        #expect(built == later && built.hashValue == later.hashValue)
        var copy = built
        copy.errorType = nil
        copy.errorMessage = nil
        copy.nextCountdown = nil
        #expect(copy == AttemptRecord(taskID: "t", taskName: "n", attempt: 2, state: .retry))
        #expect(built.errorType == "Retry" && built.errorMessage == "again" && built.nextCountdown == 4)
    }
}
