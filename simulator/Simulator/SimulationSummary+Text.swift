import Foundation

extension SimulationSummary {
    /// The end-of-run report, one figure per line.
    public func report() -> String {
        var lines: [String] = []
        lines.append("messages generated:               \(generated)")
        lines.append("accepted:                         \(accepted)")
        lines.append("refused for throughput, retried:  \(refusedAndRetried)")
        lines.append("failed for good:                  \(failed)")
        if callsRetried > 0 {
            lines.append("calls throttled or unanswered, retried: \(callsRetried)")
        }
        lines.append("lost (generated - accepted):      \(lost)")
        let perShard = recordsPerShard.enumerated().map { "shard \($0.offset): \($0.element)" }.joined(separator: ", ")
        if results == nil { lines.append("records per shard:                \(perShard.isEmpty ? "none" : perShard)") }
        lines.append("\(putName):".padding(toLength: 34, withPad: " ", startingAt: 0) + "\(putCalls)")
        lines.append("\(putName) latency:".padding(toLength: 34, withPad: " ", startingAt: 0) + "p50 \(formatMicros(putLatencyP50Micros)), p99 \(formatMicros(putLatencyP99Micros))")
        lines.append("wall time:                        \(formatSeconds(wallSeconds)) (race clock covered \(formatSeconds(clockSeconds)))")
        lines.append("messages per second:              \(Int(messagesPerSecond.rounded()))")
        for (message, count) in callErrors.sorted(by: { $0.key < $1.key }) {
            lines.append("call errors (\(count)×):       \(message)")
        }
        if let results {
            lines.append("results envelopes received:       \(results.envelopes)")
            lines.append("publish to results arriving:      p50 \(results.p50Millis) ms, p99 \(results.p99Millis) ms, max \(results.maxMillis) ms (\(results.timed) messages timed, \(results.untimed) without results)")
        }
        return lines.joined(separator: "\n")
    }

    /// The same figures as one JSON object, for scripts.
    public func json() -> String {
        let shards = recordsPerShard.map(String.init).joined(separator: ",")
        return """
            {"generated":\(generated),"accepted":\(accepted),"refusedAndRetried":\(refusedAndRetried),"failed":\(failed),"callsRetried":\(callsRetried),\
            "lost":\(lost),"recordsPerShard":[\(shards)],"putCalls":\(putCalls),"putLatencyP50Micros":\(putLatencyP50Micros),\
            "putLatencyP99Micros":\(putLatencyP99Micros),"wallSeconds":\(wallSeconds),"clockSeconds":\(clockSeconds),\
            "messagesPerSecond":\(Int(messagesPerSecond.rounded())),"callErrors":\(callErrors.count)\(resultsJSON)}
            """
    }

    private var resultsJSON: String {
        guard let results else { return "" }
        return """
            ,"resultsEnvelopes":\(results.envelopes),"resultsTimed":\(results.timed),"resultsUntimed":\(results.untimed),\
            "resultsP50Millis":\(results.p50Millis),"resultsP99Millis":\(results.p99Millis),"resultsMaxMillis":\(results.maxMillis)
            """
    }
}

func formatMicros(_ micros: UInt64) -> String {
    micros >= 1000 ? "\(Double(micros / 10) / 100) ms" : "\(micros) µs"
}

func formatSeconds(_ seconds: Double) -> String {
    seconds >= 100 ? "\(Int(seconds)) s" : "\(Double(Int(seconds * 1000)) / 1000) s"
}
