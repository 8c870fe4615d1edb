import Foundation
import KinesisAPI
import Testing

/// AddTagsToStream, RemoveTagsFromStream, ListTagsForStream and TagResource, UntagResource,
/// ListTagsForResource: one set of tags on the stream, kept in a file across a restart.
@Suite struct TagsTests {
    static let arn = "arn:aws:kinesis:us-east-1:000000000000:stream/alleycat"

    @Test func tagsAreAddedListedPagedAndRemoved() {
        let fixture = APIFixture()
        #expect(fixture.ok(.listTagsForStream, #"{"StreamName":"alleycat"}"#) == #"{"Tags":[],"HasMoreTags":false}"#)
        #expect(fixture.ok(.addTagsToStream, #"{"StreamName":"alleycat","Tags":{"team":"racing","env":"prod"}}"#) == "{}")
        #expect(fixture.ok(.tagResource, #"{"ResourceARN":"\#(Self.arn)","Tags":{"cost-centre":"42","env":"staging"}}"#) == "{}")
        #expect(fixture.ok(.listTagsForStream, #"{"StreamName":"alleycat"}"#)
            == #"{"Tags":[{"Key":"cost-centre","Value":"42"},{"Key":"env","Value":"staging"},{"Key":"team","Value":"racing"}],"HasMoreTags":false}"#)
        #expect(fixture.ok(.listTagsForStream, #"{"StreamName":"alleycat","Limit":1,"ExclusiveStartTagKey":"cost-centre"}"#)
            == #"{"Tags":[{"Key":"env","Value":"staging"}],"HasMoreTags":true}"#)
        #expect(fixture.ok(.removeTagsFromStream, #"{"StreamName":"alleycat","TagKeys":["env","absent"]}"#) == "{}")
        #expect(fixture.ok(.untagResource, #"{"ResourceARN":"\#(Self.arn)","TagKeys":["team"]}"#) == "{}")
        #expect(fixture.ok(.listTagsForResource, #"{"ResourceARN":"\#(Self.arn)"}"#) == #"{"Tags":[{"Key":"cost-centre","Value":"42"}]}"#)
    }

    @Test func badTagsAreRefusedAndChangeNothing() {
        let fixture = APIFixture()
        let eleven = (0..<11).map { #""k\#($0)":"v""# }.joined(separator: ",")
        #expect(fixture.refusal(.addTagsToStream, #"{"StreamName":"alleycat","Tags":{\#(eleven)}}"#)
            == .validation("1 validation error detected: Value '11 tags' at 'tags' failed to satisfy constraint: Member must have length between 1 and 10"))
        #expect(fixture.refusal(.addTagsToStream, #"{"StreamName":"alleycat","Tags":{"aws:owner":"me"}}"#)
            == .invalidArgument("Tag key 'aws:owner' starts with 'aws:', which is reserved for AWS"))
        #expect(fixture.refusal(.addTagsToStream, #"{"StreamName":"alleycat","Tags":{"a*b":"x"}}"#)
            == .validation(#"1 validation error detected: Value 'a*b' at 'tags' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ and have length between 1 and 128"#))
        #expect(fixture.refusal(.removeTagsFromStream, #"{"StreamName":"alleycat"}"#)
            == .validation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"))
        #expect(fixture.refusal(.tagResource, #"{"ResourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/other","Tags":{"a":"b"}}"#)
            == .resourceNotFound("Stream arn:aws:kinesis:us-east-1:000000000000:stream/other not found: this service's stream is \(Self.arn)"))
        for batch in 0..<5 {
            let ten = (0..<10).map { #""t\#(batch)-\#($0)":"v""# }.joined(separator: ",")
            #expect(fixture.ok(.addTagsToStream, #"{"StreamName":"alleycat","Tags":{\#(ten)}}"#) == "{}")
        }
        #expect(fixture.refusal(.addTagsToStream, #"{"StreamName":"alleycat","Tags":{"one-more":"v"}}"#)
            == .invalidArgument("Failed to add tags to stream alleycat under account 000000000000 because a given stream cannot have more than 50 tags associated with it."))
        #expect(!fixture.ok(.listTagsForStream, #"{"StreamName":"alleycat"}"#).contains("one-more"))
        #expect(fixture.ok(.addTagsToStream, #"{"StreamName":"alleycat","Tags":{"t0-0":"replaced"}}"#) == "{}")
    }

    @Test func tagsSurviveARestart() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tags-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(APIFixture(tagsPath: path).ok(.addTagsToStream, #"{"StreamName":"alleycat","Tags":{"team":"racing"}}"#) == "{}")
        #expect(APIFixture(tagsPath: path).ok(.listTagsForStream, #"{"StreamName":"alleycat"}"#)
            == #"{"Tags":[{"Key":"team","Value":"racing"}],"HasMoreTags":false}"#)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == #"{"team":"racing"}"#)
    }
}
