import Testing

@testable import Chorus

@Suite struct RetryPolicyTests {
    let random = SeededRandomSource(seed: 42)

    @Test func backoffWithoutJitterDoublesFromTheFactorAndCaps() {
        let policy = RetryPolicy(retryBackoff: 1, retryJitter: false)
        let delays = (0...11).map { policy.countdown(forRetries: $0, random: random) }
        #expect(delays == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600])
    }

    @Test func backoffUsesFactorTimesPowerOfTwoAndCustomCap() {
        let policy = RetryPolicy(retryBackoff: 3, retryBackoffMax: 20, retryJitter: false)
        let delays = (0...4).map { policy.countdown(forRetries: $0, random: random) }
        #expect(delays == [3, 6, 12, 20, 20])
    }

    @Test func hugeRetryCountsSaturateAtTheCapInsteadOfOverflowing() {
        let policy = RetryPolicy(retryBackoff: 5, retryJitter: false)
        #expect(policy.countdown(forRetries: 62, random: random) == 600)
        #expect(policy.countdown(forRetries: 10_000, random: random) == 600)
        #expect(RetryPolicy.exponential(factor: .max, retries: 1, cap: 7) == 7)
    }

    @Test func fullJitterDrawsWholeNumbersInZeroThroughTheBackoff() {
        let policy = RetryPolicy(retryBackoff: 1, retryBackoffMax: 600)
        for r in 0...12 {
            let bound = Double(min(600, 1 << r))
            var seen = Set<Double>()
            for _ in 0..<300 {
                let delay = policy.countdown(forRetries: r, random: random)
                #expect(delay >= 0 && delay <= bound)
                #expect(delay == delay.rounded())
                seen.insert(delay)
            }
            if r == 0 { #expect(seen == [0, 1]) }  // randrange(2): both ends are reachable
            if r == 2 { #expect(seen == [0, 1, 2, 3, 4]) }
        }
    }

    @Test func jitterIsReproducibleWithTheSameSeed() {
        let policy = RetryPolicy(retryBackoff: 2)
        let a = SeededRandomSource(seed: 7), b = SeededRandomSource(seed: 7)
        let first = (0..<20).map { policy.countdown(forRetries: $0 % 9, random: a) }
        let second = (0..<20).map { policy.countdown(forRetries: $0 % 9, random: b) }
        #expect(first == second)
    }

    @Test func withoutBackoffTheDefaultDelayIsUsed() {
        #expect(RetryPolicy().countdown(forRetries: 0, random: random) == 180)
        #expect(RetryPolicy(defaultRetryDelay: 7.5).countdown(forRetries: 5, random: random) == 7.5)
    }

    @Test func anExplicitCountdownWins() {
        let policy = RetryPolicy(retryBackoff: 1)
        #expect(policy.countdown(forRetries: 4, explicit: 5, random: random) == 5)
        #expect(RetryPolicy().countdown(forRetries: 0, explicit: 0, random: random) == 0)
        #expect(RetryPolicy().countdown(forRetries: 0, explicit: -3, random: random) == 0)
    }

    @Test func shouldRetryStopsOnceRetriesPlusOneExceedsTheMaximum() {
        let three = RetryPolicy(maxRetries: 3)
        #expect([0, 1, 2, 3, 4].map { three.shouldRetry(retries: $0) } == [true, true, true, false, false])
        #expect(RetryPolicy(maxRetries: 0).shouldRetry(retries: 0) == false)
        let unlimited = RetryPolicy(maxRetries: nil)
        #expect(unlimited.shouldRetry(retries: 0) && unlimited.shouldRetry(retries: 1_000_000))
    }

    @Test func signatureOptionsReplaceOnlyTheFieldsTheySet() {
        let task = RetryPolicy(autoretry: true, maxRetries: 5, retryBackoff: 2, retryBackoffMax: 100)
        #expect(task.overridden(by: SignatureOptions()) == task)
        var options = SignatureOptions()
        options.maxRetries = .unlimited
        options.retryJitter = false
        let merged = task.overridden(by: options)
        #expect(merged.maxRetries == nil && merged.retryJitter == false)
        #expect(merged.autoretry && merged.retryBackoff == 2 && merged.retryBackoffMax == 100)
        options = SignatureOptions()
        options.maxRetries = RetryLimit.count(1)
        options.defaultRetryDelay = 9
        #expect(task.overridden(by: options).maxRetries == 1 && task.overridden(by: options).defaultRetryDelay == 9)
        // A negative count is no retries, not a negative limit.
        options.maxRetries = .count(-2)
        #expect(task.overridden(by: options).maxRetries == 0)
    }
}
