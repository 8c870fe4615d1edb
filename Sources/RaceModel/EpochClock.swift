#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Synchronization

/// The time source every time-based rule reads (shard rate limits, buffer
/// intervals, retention, pacing). Milliseconds since the Unix epoch.
public protocol EpochClock: Sendable {
    func nowMillis() -> Int64
    /// Blocks until the clock reads at least `millis`. A virtual clock jumps there.
    func sleep(untilMillis millis: Int64)
}

/// Time that moves only when told to, so a 5-minute race runs as fast as the CPU allows.
public final class VirtualClock: EpochClock {
    private let now: Mutex<Int64>

    public init(startMillis: Int64 = 0) {
        now = Mutex(startMillis)
    }

    public func nowMillis() -> Int64 {
        now.withLock { $0 }
    }

    public func sleep(untilMillis millis: Int64) {
        advance(toMillis: millis)
    }

    /// Moves forward to `millis`; never backwards.
    public func advance(toMillis millis: Int64) {
        now.withLock { $0 = max($0, millis) }
    }

    public func advance(byMillis delta: Int64) {
        now.withLock { $0 += max(0, delta) }
    }
}

/// Wall-clock time, optionally running `factor` times faster from a start instant
/// (`--speed 10` plays a 5-minute race in 30 s with the same timestamps).
public struct SystemClock: EpochClock {
    private let originMillis: Int64
    private let originMonotonicNanos: Int64
    private let factor: Double

    public init(startMillis: Int64? = nil, factor: Double = 1) {
        self.originMillis = startMillis ?? SystemClock.realtimeMillis()
        self.originMonotonicNanos = SystemClock.monotonicNanos()
        self.factor = factor
    }

    public func nowMillis() -> Int64 {
        let elapsed = Double(SystemClock.monotonicNanos() - originMonotonicNanos) / 1_000_000
        return originMillis + Int64(elapsed * factor)
    }

    public func sleep(untilMillis millis: Int64) {
        while true {
            let remaining = millis - nowMillis()
            if remaining <= 0 { return }
            let realNanos = Int64(Double(remaining) * 1_000_000 / factor)
            var request = timespec(tv_sec: Int(realNanos / 1_000_000_000), tv_nsec: Int(realNanos % 1_000_000_000))
            _ = nanosleep(&request, nil)
        }
    }

    public static func realtimeMillis() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    public static func monotonicNanos() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
