extension Array where Element == Int64 {
    /// The nearest-rank percentile (0...100) of values already sorted ascending; 0 when empty.
    public func nearestRankPercentile(_ percentile: Double) -> Int64 {
        guard !isEmpty else { return 0 }
        let rank = Int((percentile / 100 * Double(count)).rounded(.up)) - 1
        return self[Swift.min(Swift.max(rank, 0), count - 1)]
    }
}
