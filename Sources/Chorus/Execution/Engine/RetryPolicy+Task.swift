extension RetryPolicy {
    /// The policy a task declares in its descriptor.
    init(task options: TaskOptions) {
        self.init(
            autoretry: options.autoretry, maxRetries: options.maxRetries,
            retryBackoff: options.retryBackoff > 0 ? Int(min(max(1, options.retryBackoff), Double(Int32.max))) : 0,
            retryBackoffMax: Int(min(options.retryBackoffMax, Double(Int32.max))),
            retryJitter: options.retryJitter, defaultRetryDelay: options.defaultRetryDelay)
    }

    /// This policy with one call's signature options applied on top.
    func overridden(by options: SignatureOptions) -> RetryPolicy {
        var policy = self
        if let autoretry = options.autoretry { policy.autoretry = autoretry }
        switch options.maxRetries {
        case .count(let n)?: policy.maxRetries = max(0, n)
        case .unlimited?: policy.maxRetries = nil
        case nil: break
        }
        if let factor = options.retryBackoffFactor { policy.retryBackoff = factor }
        if let cap = options.retryBackoffMax, cap.isFinite, cap >= 0 { policy.retryBackoffMax = Int(min(cap, Double(Int32.max))) }
        if let jitter = options.retryJitter { policy.retryJitter = jitter }
        if let delay = options.defaultRetryDelay, delay.isFinite, delay >= 0 { policy.defaultRetryDelay = delay }
        return policy
    }
}
