import Foundation
import Synchronization
import Testing
@testable import Chorus

/// Many threads calling the same tasks at once: every result is correct and
/// every bound call sees its own context.
@Suite struct ConcurrencyTests {
    /// Runs `body(i)` on `count` new threads at once and waits for all.
    static func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let done = DispatchGroup()
        for i in 0..<count {
            done.enter()
            let thread = Thread {
                body(i)
                done.leave()
            }
            thread.start()
        }
        done.wait()
    }

    final class Problems: Sendable {
        let list = Mutex<[String]>([])
        let count = Atomic<Int>(0)
        func record(_ text: String) {
            if count.add(1, ordering: .relaxed).newValue <= 10 { list.withLock { $0.append(text) } }
        }
    }

    @Test func eightThreadsTimesTenThousandCallsOfOneTask() throws {
        let add = try InvokerTypesTests.registry.task(named: "add")
        let problems = Problems()
        let services = StandaloneTaskServices()
        Self.onThreads(8) { t in
            let request = InvocationRequest(taskID: "add-\(t)")
            for k in 0..<10_000 {
                let x = Int64(t) << 40 | Int64(k)
                let y = -Int64(k) * 7 - Int64(t)
                do {
                    let outcome = try Invoker.invoke(add, args: [.int(x), .int(y)], request: request, services: services)
                    if outcome != .success(.int(x + y)) { problems.record("add(\(x), \(y)) gave \(outcome)") }
                } catch {
                    problems.record("add(\(x), \(y)) threw \(error)")
                }
            }
        }
        #expect(problems.count.load(ordering: .relaxed) == 0, "\(problems.list.withLock { $0 })")
    }

    @Test func thirtyTwoThreadsCallingABoundTaskEachSeeTheirOwnContext() throws {
        let whoami = try InvokerTypesTests.registry.task(named: "whoami")
        let problems = Problems()
        let services = StandaloneTaskServices()
        Self.onThreads(32) { t in
            for k in 0..<200 {
                let id = "id-\(t)-\(k)"
                let request = InvocationRequest(taskID: id, retries: t, timeScale: 0.5)
                do {
                    let outcome = try Invoker.invoke(whoami, args: [], request: request, services: services)
                    if outcome != .success(.string("whoami/\(id)/\(t)/0.5")) { problems.record("\(id): \(outcome)") }
                } catch {
                    problems.record("\(id) threw \(error)")
                }
            }
        }
        #expect(problems.count.load(ordering: .relaxed) == 0, "\(problems.list.withLock { $0 })")
    }
}
