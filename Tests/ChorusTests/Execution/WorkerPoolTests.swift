import Foundation
import Testing

@testable import Chorus

@Suite struct WorkerPoolTests {
    @Test func jobsSubmittingJobsOnOneExecutorDoNotDeadlock() {
        let pool = WorkerPool(threadCount: 1)
        defer { pool.shutdown() }
        let ran = Recorder<String>()
        pool.submit {
            ran.append("root")
            for i in 0..<10 {
                pool.submit {
                    ran.append("child \(i)")
                    pool.submit { ran.append("grandchild \(i)") }
                }
            }
        }
        #expect(pool.waitForIdle(timeout: 10))
        #expect(ran.count == 21)
        #expect(ran.values.first == "root")
        // FIFO: all children were queued before any grandchild.
        #expect(Array(ran.values[1...10]) == (0..<10).map { "child \($0)" })
    }

    @Test func aBlockedJobDoesNotHoldUpTheOtherExecutors() {
        let pool = WorkerPool(threadCount: 2)
        let release = DispatchSemaphore(value: 0)
        let blockerStarted = DispatchSemaphore(value: 0)
        pool.submit {
            blockerStarted.signal()
            release.wait()  // stands in for a C call that sleeps
        }
        #expect(blockerStarted.wait(seconds: 10))
        let quick = DispatchGroup()
        let ran = Recorder<Int>()
        for i in 0..<20 {
            quick.enter()
            pool.submit {
                ran.append(i)
                quick.leave()
            }
        }
        #expect(quick.wait(timeout: .now() + 10) == .success)
        #expect(ran.count == 20)
        #expect(!pool.waitForIdle(timeout: 0.01))
        release.signal()
        #expect(pool.waitForIdle(timeout: 10))
        pool.shutdown()
    }

    @Test func neverRunsMoreThanThreadCountJobsAtOnce() {
        let pool = WorkerPool(threadCount: 3)
        defer { pool.shutdown() }
        let gauge = LockProtected((current: 0, peak: 0))
        for _ in 0..<30 {
            pool.submit {
                gauge.withLock { $0.current += 1; $0.peak = max($0.peak, $0.current) }
                Thread.sleep(forTimeInterval: 0.002)
                gauge.withLock { $0.current -= 1 }
            }
        }
        #expect(pool.waitForIdle(timeout: 10))
        let peak = gauge.withLock { $0.peak }
        #expect(peak >= 1 && peak <= 3)
    }

    @Test func shutdownFinishRunsQueuedJobs() {
        let pool = WorkerPool(threadCount: 1)
        let ran = Recorder<Int>()
        for i in 0..<5 { pool.submit { ran.append(i) } }
        #expect(pool.shutdown(queued: .finish).isEmpty)
        #expect(ran.values == [0, 1, 2, 3, 4])
        #expect(!pool.submit { ran.append(99) })
    }

    @Test func shutdownDropReturnsQueuedJobsAndFinishesTheRunningOne() {
        let pool = WorkerPool(threadCount: 1)
        let go = DispatchSemaphore(value: 0)
        let ran = Recorder<String>()
        let dropped = LockProtected(-1)
        pool.submit {
            go.wait()
            // Shutting down from inside a job must not wait for this job.
            let jobs = pool.shutdown(queued: .drop)
            dropped.withLock { $0 = jobs.count }
            ran.append("running job finished")
        }
        for i in 0..<5 { pool.submit { ran.append("queued \(i)") } }
        go.signal()
        pool.shutdown()
        #expect(dropped.withLock { $0 } == 5)
        #expect(ran.values == ["running job finished"])
    }

    /// The threads named `prefix…` this process has now (Linux: /proc).
    static func threads(named prefix: String) -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { $0.hasPrefix(prefix) }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/task")))
    func shutdownReturnsOnlyOnceItsThreadsAndTheSchedulersAreGone() {
        let tag = "jt\(UInt32.random(in: 0..<1_000_000))"
        let pool = WorkerPool(threadCount: 3, name: "\(tag)-w")
        let scheduler = Scheduler(name: "\(tag)-s")
        let ran = Recorder<Int>()
        for i in 0..<6 { pool.submit { ran.append(i) } }
        #expect(pool.waitForIdle(timeout: 10))
        // Named, and running until shutdown (a thread names itself once it runs).
        let deadline = Date().addingTimeInterval(10)
        while Self.threads(named: tag).count < 4 && Date() < deadline { usleep(10_000) }
        #expect(Self.threads(named: tag).count == 4)
        pool.shutdown()
        scheduler.shutdown()
        // Joined, not merely told to stop: nothing of them is left running.
        #expect(Self.threads(named: tag).isEmpty)
        #expect(ran.values.count == 6)
    }

    @Test func aPoolShutDownFromItsOwnJobStillEndsThatThread() {
        let pool = WorkerPool(threadCount: 2)
        let done = DispatchSemaphore(value: 0)
        pool.submit {
            // `.finish` from a job waited for that very job, forever; and a thread
            // cannot join itself: it is detached and cleans up when it exits.
            pool.shutdown(queued: .finish)
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        pool.shutdown()
    }

    @Test func aStackTooSmallIsRefusedNotSilentlyReplaced() async {
        await #expect(processExitsWith: .failure) {
            _ = WorkerPool(threadCount: 1, stackSize: 4_096)
        }
        let pool = WorkerPool(threadCount: 1, stackSize: WorkerPool.minimumStackSize)
        let ran = Recorder<Int>()
        pool.submit { ran.append(1) }
        pool.shutdown()
        #expect(ran.values == [1])
    }
}
