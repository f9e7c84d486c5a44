import Foundation
import Synchronization
import Testing

@testable import Chorus

/// The cross-process write turn (`CommitSignal.acquireTurn`).
@Suite struct CommitSignalTests {
    let dir = TemporaryDirectory()

    /// Stamps the turn word of the `-wake` file as held by process `pid`.
    func holdTurn(as pid: Int32) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: dir.database + "-wake"))
        defer { try? handle.close() }
        try handle.seek(toOffset: 32)
        try handle.write(contentsOf: withUnsafeBytes(of: UInt32(bitPattern: pid).littleEndian) { Data($0) })
    }

    /// A waiter woken over and over (every release wakes one) still waits its
    /// whole limit in real time: counting a nap per wake-up gave up early.
    @Test func aWaiterWokenOftenWaitsItsWholeLimit() throws {
        let signal = try #require(CommitSignal.open(databasePath: dir.database))
        guard signal.blocks else { return }  // only where waits sleep in the kernel
        let parent = getppid()
        #expect(kill(parent, 0) == 0)
        try holdTurn(as: parent)  // alive, and never releases it
        let stop = Atomic<Bool>(false)
        let waker = runOnThread { while !stop.load(ordering: .relaxed) { signal.releaseTurn() } }
        let start = Date()
        let acquired = signal.acquireTurn(limit: 0.3)
        let elapsed = Date().timeIntervalSince(start)
        stop.store(true, ordering: .relaxed)
        _ = waker.wait(seconds: 5)
        #expect(!acquired)
        #expect(elapsed >= 0.29, "gave up after \(elapsed) s of a 0.3 s limit")
    }

    /// A turn left by a process that died is taken over.
    @Test func aDeadHoldersTurnIsTakenOver() throws {
        let signal = try #require(CommitSignal.open(databasePath: dir.database))
        guard signal.blocks else { return }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        try holdTurn(as: child.processIdentifier)
        #expect(signal.acquireTurn(limit: 5))
        signal.releaseTurn()
    }
}
