/// A racer's series in one race, merged per second with max, and the aggregates
/// derived from it. Because every aggregate is recomputed from the merged series,
/// merging a sample twice, or in any order, gives the same result.
struct MergedSeries {
    /// `outputs[i]` is the output at second `i + 1`; NaN where none was reported.
    private(set) var outputs: [Double]
    /// The highest second that came with a final event.
    private(set) var finalSecond: Int?

    init(outputs: [Double] = [], finalSecond: Int? = nil) {
        self.outputs = outputs
        self.finalSecond = finalSecond
    }

    /// The caller has checked that `sample.second` is in `1...SeriesBlob.maxSecond`.
    /// A NaN output counts as not reported. Returns whether the series changed.
    @discardableResult
    mutating func merge(_ sample: SecondSample) -> Bool {
        guard !sample.output.isNaN else { return false }
        var changed = false
        let index = sample.second - 1
        if index >= outputs.count {
            outputs.append(contentsOf: repeatElement(.nan, count: index + 1 - outputs.count))
        }
        let current = outputs[index]
        if current.isNaN || sample.output > current {
            outputs[index] = sample.output
            changed = true
        }
        if sample.isFinal, sample.second > finalSecond ?? 0 {
            finalSecond = sample.second
            changed = true
        }
        return changed
    }

    struct Aggregates: Equatable {
        var finalOutput: Double?
        var bestOutput: Double
        var totalOutput: Double
        var secondsReported: Int

        func value(of measure: Measure) -> Double? {
            switch measure {
            case .total: totalOutput
            case .best: bestOutput
            case .final: finalOutput
            }
        }
    }

    /// Summed in second order, so the total does not depend on the order samples arrived in,
    /// and rounded to 6 decimal places so binary rounding noise (8136.898700000001) stays out.
    var aggregates: Aggregates {
        var best = -Double.infinity
        var total = 0.0
        var count = 0
        for output in outputs where !output.isNaN {
            best = max(best, output)
            total += output
            count += 1
        }
        let finalOutput = finalSecond.map { outputs[$0 - 1] }
        return Aggregates(
            finalOutput: finalOutput, bestOutput: count == 0 ? 0 : best,
            totalOutput: (total * 1e6).rounded() / 1e6, secondsReported: count)
    }

    /// The series as `RacerRaceResult.series` shows it.
    var optionalOutputs: [Double?] {
        outputs.map { $0.isNaN ? nil : $0 }
    }
}
