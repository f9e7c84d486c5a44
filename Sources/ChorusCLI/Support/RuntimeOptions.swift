import ArgumentParser
import Chorus
import Foundation

/// Options of commands that run work on an in-process runtime.
struct RuntimeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Executor threads (default: the number of cores).", valueName: "N"))
    var concurrency: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("time-scale"), help: ArgumentHelp("Multiply every wait (countdowns, retry delays) by X; 0.01 runs a 180 s retry delay in 1.8 s.", valueName: "X"))
    var timeScale: Double = 1

    @Option(help: ArgumentHelp("Seed the random source used for retry jitter, for repeatable runs.", valueName: "N"))
    var seed: UInt64?

    func configuration() -> RuntimeConfiguration {
        var configuration = RuntimeConfiguration(concurrency: concurrency, timeScale: timeScale)
        if let seed { configuration.random = SeededRandomSource(seed: seed) }
        return configuration
    }
}
