import AWSClient
import AlleycatTesting
import Foundation
import Storage
import Testing

@testable import S3Storage

/// Delivered objects put into moto's S3 by the delivery bucket before anyone hears of them.
@Suite(.timeLimit(.minutes(3)))
struct S3DeliveryReplicaTests {
    @Test func everyDeliveredObjectIsInS3UnderItsKeyAndAMissingBucketIsTheDeliveryError() throws {
        let moto = try MotoServer.started()
        defer { moto.stop() }
        let s3 = S3Client(configuration: try moto.configuration(.s3))
        defer { s3.shutdown() }
        try s3.createBucket("delivery")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("s3-delivery-\(UInt64.random(in: 0...UInt64.max))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let bucket = Bucket(
                name: "delivery", directory: directory, replica: S3DeliveryReplica(s3: s3, bucket: "delivery", prefix: "race/"))
            let key = "2026/12/02/18/alleycat-1-2026-12-02-18-00-00-0001.gz"
            try bucket.put(key: key, bytes: [0x1f, 0x8b, 8, 0])
            try bucket.put(key: "processing-failed/2026/12/02/18/x.gz", bytes: [5])
            #expect(try s3.getObject("delivery", key: "race/" + key)?.bytes == [0x1f, 0x8b, 8, 0])
            #expect(try s3.listKeys("delivery") == ["race/2026/12/02/18/alleycat-1-2026-12-02-18-00-00-0001.gz", "race/processing-failed/2026/12/02/18/x.gz"])

            let nowhere = Bucket(name: "delivery", directory: directory + "/other", replica: S3DeliveryReplica(s3: s3, bucket: "missing"))
            let error = #expect(throws: FileError.self) { try nowhere.put(key: "a.gz", bytes: [1]) }
            #expect(error?.description == "cannot put object s3://missing/a.gz: S3 PutObject of s3://missing/a.gz at \(moto.endpoint) failed with NoSuchBucket: The specified bucket does not exist; create the bucket first, or check its name and AWS_REGION")
        }
    }
}
