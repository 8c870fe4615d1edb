#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// How a stage's work is going: whether it is failing, since when and why, and when
/// its failed work is tried again. A failure is retried with exponential backoff on
/// the stage's clock (1 s, 2 s, 4 s … at most 30 s); nothing waits for a restart.
/// `failed` and `succeeded` say when a line is worth logging: once when a stage starts
/// failing (or fails for a new reason) and once when it recovers.
public struct StageHealth: Sendable, Equatable {
    public static let firstRetryMillis: Int64 = 1000
    public static let maxRetryMillis: Int64 = 30_000

    /// When the failing streak began (nil while the stage works).
    public private(set) var failingSinceMillis: Int64?
    public private(set) var lastError: String?
    /// Failed attempts in the current streak.
    public private(set) var attempts = 0
    /// When the failed work may be tried again.
    public private(set) var retryAtMillis: Int64?
    /// Failed attempts and recoveries since the stage started.
    public private(set) var totalFailures = 0
    public private(set) var recoveries = 0

    public init() {}

    public var isFailing: Bool { failingSinceMillis != nil }

    /// The wait before the attempt after the `attempts`-th failure.
    public static func retryDelayMillis(afterAttempts attempts: Int) -> Int64 {
        min(maxRetryMillis, firstRetryMillis << Int64(min(max(0, attempts - 1), 16)))
    }

    /// True when a failed attempt may be made again.
    public func isDue(nowMillis: Int64) -> Bool {
        retryAtMillis.map { nowMillis >= $0 } ?? true
    }

    /// Records a failed attempt. True when this starts a streak or changes its cause (log it).
    @discardableResult
    public mutating func failed(_ error: String, nowMillis: Int64) -> Bool {
        let worthALine = failingSinceMillis == nil || error != lastError
        if failingSinceMillis == nil { failingSinceMillis = nowMillis }
        lastError = error
        attempts += 1
        totalFailures += 1
        retryAtMillis = nowMillis + Self.retryDelayMillis(afterAttempts: attempts)
        return worthALine
    }

    /// Records a successful attempt. True when it ends a failing streak (log it).
    @discardableResult
    public mutating func succeeded() -> Bool {
        guard failingSinceMillis != nil else { return false }
        failingSinceMillis = nil
        lastError = nil
        attempts = 0
        retryAtMillis = nil
        recoveries += 1
        return true
    }

    /// Ends a failing streak as `succeeded()` does and says how it went, for the recovery's
    /// log line ("4 failed attempts over 21 s"); nil when the stage was not failing.
    public mutating func recovered(nowMillis: Int64) -> String? {
        guard let since = failingSinceMillis else { return nil }
        let streak = "\(attempts) failed attempt\(attempts == 1 ? "" : "s") over \(max(0, nowMillis - since) / 1000) s"
        succeeded()
        return streak
    }

    /// "retrying in 2 s (with backoff up to 30 s)", for a failure's log line.
    public func retryText(nowMillis: Int64) -> String {
        "retrying in \(max(0, (retryAtMillis ?? nowMillis) - nowMillis) / 1000) s (with backoff up to \(Self.maxRetryMillis / 1000) s)"
    }

    /// "failing for 12 s after 4 attempts: <error>", for logs and /health.
    public func describeFailure(nowMillis: Int64) -> String {
        guard let since = failingSinceMillis else { return "ok" }
        let seconds = max(0, nowMillis - since) / 1000
        return "failing for \(seconds) s after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(lastError ?? "")"
    }
}

/// Writes one line to standard error in a single write, so lines of threads never interleave.
public func logLine(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}
