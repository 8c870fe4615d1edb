/// Checks of a PutRecords call's shape. A call that fails any of them is refused
/// whole with a ValidationException naming the record and the rule, except a call over
/// 5 MiB in all, which Kinesis refuses first, as InvalidArgumentException.
enum PutRecordsValidation {
    /// Returns each record's hash key (explicit, else MD5 of the partition key).
    static func validate(_ entries: [PutRecordsRequestEntry], streamName: String) throws(StreamError) -> [UInt128] {
        if entries.isEmpty {
            throw .validation("PutRecords needs at least 1 record, got 0")
        }
        if entries.count > CallLimits.maximumRecordsPerPut {
            throw .validation("PutRecords takes at most \(CallLimits.maximumRecordsPerPut) records, got \(entries.count): split the batch")
        }
        let total = entries.reduce(0) { $0 + $1.data.count + $1.partitionKey.utf8.count }
        if total > CallLimits.maximumPutBytes {
            // Kinesis's words, checked before any record's own limits.
            throw .invalidArgument("Records size exceeds 5 MB limit")
        }
        var hashKeys: [UInt128] = []
        hashKeys.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            hashKeys.append(try validateRecord(entry, label: { "records[\(index)]" }))
        }
        return hashKeys
    }

    /// `label` names the record in a message; it is only built when there is one to write.
    static func validateRecord(_ entry: PutRecordsRequestEntry, label: () -> String) throws(StreamError) -> UInt128 {
        // A key of 1...256 UTF-8 bytes has 1...256 characters; count characters only past that.
        let keyBytes = entry.partitionKey.utf8.count
        let keyLength = keyBytes >= 1 && keyBytes <= 256 ? keyBytes : entry.partitionKey.count
        if !CallLimits.partitionKeyLength.contains(keyLength) {
            throw .validation("\(label()).PartitionKey is \(keyLength) characters long, must be 1 to 256")
        }
        let size = entry.data.count + entry.partitionKey.utf8.count
        if size > CallLimits.maximumRecordBytes {
            throw .validation("\(label()) is \(size) bytes of data and partition key, at most \(CallLimits.maximumRecordBytes) (1 MiB) allowed")
        }
        if let explicit = entry.explicitHashKey {
            guard let key = PartitionHash.parseExplicitHashKey(explicit) else {
                throw .validation("\(label()).ExplicitHashKey '\(explicit.prefix(60))' is not a decimal integer in 0...2^128-1")
            }
            return key
        }
        return PartitionHash.hashKey(forPartitionKey: entry.partitionKey)
    }
}
