import Foundation
import GRDB

extension RaceStore {
    /// Merges `batch` in one write transaction: each racer's stored series is
    /// merged per second with max and its aggregates recomputed, then the race
    /// rows, the class records, the racers' names and the ledger are updated.
    ///
    /// Committing the same batch twice, or its samples split over batches in any
    /// order, leaves the same rows (the ledger keeps the first `mergedAt`). The
    /// store does not skip objects already in the ledger: the merger decides.
    /// If a sample is invalid the whole batch is rolled back.
    public func commit(_ batch: MergeBatch) throws {
        let mergedAt = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        try database.write { db in
            let transaction = MergeTransaction(db)
            // Sorted so that a racer's last-seen name does not depend on dictionary order.
            for key in batch.samples.keys.sorted() {
                try transaction.merge(key, racers: batch.samples[key] ?? [:])
            }
            for objectKey in batch.objectKeys {
                try transaction.recordMerged(objectKey: objectKey, at: mergedAt)
            }
        }
    }
}
