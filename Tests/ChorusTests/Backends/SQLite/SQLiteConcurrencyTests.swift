import Foundation
import Testing

@testable import Chorus

/// Several threads on several backend objects (as separate processes would be)
/// sharing one database file.
@Suite struct SQLiteConcurrencyTests {
    let dir = TemporaryDirectory()

    @Test func eightClaimersOnTwoBackendsClaimEachOf2000MessagesExactlyOnce() throws {
        let backends = try (0..<2).map { _ in try SQLiteBackend(path: dir.database, options: .init(maximumConnections: 4)) }
        let publisher = try SQLiteBackend(path: dir.database)
        let tx = try publisher.beginTransaction(broker: publisher)
        for i in 0..<2000 { try tx.publish(SQLiteFixtures.message("m\(i)"), to: i % 2 == 0 ? "even" : "odd") }
        try tx.commit()
        let claimed = Recorder<String>()
        let errors = Recorder<String>()
        let start = Date()
        let threads = (0..<8).map { index in
            runOnThread {
                let backend = backends[index % 2]
                let mode: ClaimMode = index % 2 == 0 ? .removeOnClaim : .lease(seconds: 60)
                while true {
                    do {
                        guard let d = try backend.claim(from: index % 3 == 0 ? ["odd", "even"] : ["even", "odd"], mode: mode, timeout: 0) else { return }
                        claimed.append(d.message.id)
                        if case .lease = mode, try !backend.ack(d) { errors.append("ack of \(d.message.id) failed") }
                    } catch {
                        errors.append("\(error)")
                        return
                    }
                }
            }
        }
        for thread in threads { #expect(thread.wait(seconds: 60)) }
        let elapsed = Date().timeIntervalSince(start)
        #expect(errors.values == [])
        #expect(claimed.count == 2000)
        #expect(Set(claimed.values).count == 2000)
        #expect(try publisher.inspect().queues.isEmpty)
        print("SQLite: 2000 claims by 8 threads on 2 backends in \(String(format: "%.3f", elapsed)) s (\(Int(2000 / elapsed)) claims/s)")
    }

    @Test func aChordCompletesExactlyOnceAcrossBackendsWithDuplicateReports() throws {
        let backends = try (0..<2).map { _ in try SQLiteBackend(path: dir.database) }
        for round in 0..<20 {
            let group = "g\(round)"
            let size = 6
            #expect(try backends[0].setChordSize(size, forGroup: group) == .waiting(ready: 0, size: size))
            let completions = Recorder<[ChordPart]>()
            let others = Recorder<ChordPartOutcome>()
            // Every part is reported twice (a redelivered header task), from both backends, at once.
            let threads = (0..<(2 * size)).map { n in
                runOnThread {
                    let index = n % size
                    let part = ChordPart(taskID: "t\(index)", groupIndex: index, state: .success, result: .int(Int64(index)))
                    do {
                        let outcome = try backends[n % 2].recordChordPart(part, forGroup: group)
                        if let parts = outcome.completedParts { completions.append(parts) } else { others.append(outcome) }
                    } catch {
                        others.append(.waiting(ready: -1, size: nil))
                    }
                }
            }
            for thread in threads { #expect(thread.wait(seconds: 30)) }
            #expect(completions.count == 1)
            #expect(completions.values.first?.map(\.groupIndex) == Array(0..<size))
            #expect(completions.values.first?.map(\.result) == (0..<size).map { JSON.int(Int64($0)) })
            #expect(!others.values.contains(.waiting(ready: -1, size: nil)))
            let late = ChordPart(taskID: "t0", groupIndex: 0, state: .success, result: 0)
            #expect(try backends[1].recordChordPart(late, forGroup: group) == .alreadyCompleted)
        }
    }
}
