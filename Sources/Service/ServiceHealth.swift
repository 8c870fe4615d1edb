import RaceModel

/// What `GET /health` answers: each stage's state. The service is healthy when every
/// stage is; while one fails the answer is 503 with the stage, its cause, how long it
/// has failed and when it is tried again.
public struct ServiceHealth: Sendable, Equatable {
    public struct Stage: Sendable, Equatable {
        public var name: String
        /// Nil while the stage works.
        public var failure: Failure?
    }

    public struct Failure: Sendable, Equatable {
        public var error: String
        public var failingForSeconds: Int64
        public var attempts: Int
        /// Nil when the stage does not retry by itself (the stream refuses puts until it can write; readers poll).
        public var retryInSeconds: Int64?

        init(error: String, failingForSeconds: Int64 = 0, attempts: Int = 1, retryInSeconds: Int64? = nil) {
            self.error = error
            self.failingForSeconds = failingForSeconds
            self.attempts = attempts
            self.retryInSeconds = retryInSeconds
        }

        /// A stage that retries by itself.
        init?(_ health: StageHealth, nowMillis: Int64, retries: Bool) {
            guard let since = health.failingSinceMillis else { return nil }
            error = health.lastError ?? ""
            failingForSeconds = max(0, nowMillis - since) / 1000
            attempts = health.attempts
            retryInSeconds = retries ? health.retryAtMillis.map { max(0, $0 - nowMillis + 999) / 1000 } : nil
        }
    }

    public var stages: [Stage]

    public var isHealthy: Bool { stages.allSatisfy { $0.failure == nil } }

    /// The JSON object of the answer.
    var json: [String: Any] {
        var byName: [String: Any] = [:]
        for stage in stages {
            guard let failure = stage.failure else {
                byName[stage.name] = ["status": "ok"]
                continue
            }
            var entry: [String: Any] = [
                "status": "failing", "error": failure.error, "failingForSeconds": failure.failingForSeconds, "attempts": failure.attempts,
            ]
            if let retry = failure.retryInSeconds { entry["retryInSeconds"] = retry }
            byName[stage.name] = entry
        }
        return ["status": isHealthy ? "ok" : "failing", "stages": byName]
    }
}
