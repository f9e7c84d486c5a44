import Foundation
import Synchronization
import Testing
@testable import Chorus

/// Loads racing each other: one initialisation, one winner of a name clash.
@Suite struct ConcurrentLoadTests {
    @Test func manyThreadsLoadingTheSamePluginRegisterItOnce() throws {
        let path = try LoaderFixtures.counted.get()
        let registry = TaskRegistry()
        let results = Mutex<[String]>([])
        ConcurrencyTests.onThreads(8) { _ in
            do {
                let info = try registry.loadPlugin(at: path)
                results.withLock { $0.append(info.name) }
            } catch {
                results.withLock { $0.append("error: \(error)") }
            }
        }
        #expect(results.withLock { $0 } == Array(repeating: "counted", count: 8))
        #expect(registry.plugins.count == 1)
        #expect(registry.tasks.map(\.name) == ["counted.entry_calls"])
        #expect(try callTask(registry, "counted.entry_calls") == .success(1))
    }

    @Test func twoPluginsRacingForOneTaskNameHaveOneWinner() throws {
        let paths = [try LoaderFixtures.clashA.get(), try LoaderFixtures.clashB.get()]
        for _ in 0..<5 {
            let registry = TaskRegistry()
            let failures = Mutex<[ChorusError]>([])
            ConcurrencyTests.onThreads(2) { i in
                do throws(ChorusError) {
                    try registry.loadPlugin(at: paths[i])
                } catch {
                    failures.withLock { $0.append(error) }
                }
            }
            let errors = failures.withLock { $0 }
            #expect(errors.count == 1)
            #expect(errors.first?.code == .duplicateTask)
            #expect(registry.plugins.count == 1)
            let winner = try #require(registry.plugins.first).name
            #expect(registry.tasks.map(\.name).sorted() == (winner == "clash_a" ? ["clash_a.only", "shared.task"] : ["clash_b.first", "shared.task"]))
        }
    }
}
