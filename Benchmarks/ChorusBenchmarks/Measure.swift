import Foundation
import Chorus

/// Runs a workload several times and keeps the median with its min–max, the
/// way every figure in BENCHMARKS.md is reported.
struct Measurement {
    var name: String
    var unit: String
    var samples: [Double]

    var median: Double {
        let s = samples.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    var min: Double { samples.min() ?? .nan }
    var max: Double { samples.max() ?? .nan }

    /// Times `body` `runs` times; each sample is `seconds * scale / count`.
    static func run(_ name: String, unit: String, runs: Int, scale: Double, count: Int, _ body: () throws -> Void) rethrows -> Measurement {
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            samples.append(seconds * scale / Double(count))
        }
        return Measurement(name: name, unit: unit, samples: samples)
    }

    /// Times `body` on a fresh started runtime from `setUp`, `runs` times: the
    /// clock runs from the first publish to the last result, so starting the
    /// executors and tearing the runtime down (freeing every stored result at
    /// once, on the timing thread) are not counted as task throughput.
    static func run(
        _ name: String, unit: String, runs: Int, scale: Double, count: Int, setUp: () throws -> Runtime,
        _ body: (Runtime) throws -> Void
    ) throws -> Measurement {
        var samples: [Double] = []
        for _ in 0..<runs {
            let runtime = try setUp()
            defer { runtime.shutdown() }
            let start = DispatchTime.now().uptimeNanoseconds
            try body(runtime)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            samples.append(seconds * scale / Double(count))
        }
        return Measurement(name: name, unit: unit, samples: samples)
    }

    func formatted(_ v: Double) -> String {
        v >= 100 ? String(format: "%.0f", v) : v >= 10 ? String(format: "%.1f", v) : String(format: "%.2f", v)
    }

    var row: String { "\(name) | \(formatted(median)) \(unit) | \(formatted(min))–\(formatted(max))" }
}
