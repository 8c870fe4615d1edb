import Testing

@testable import AWSClient

struct XMLTextTests {
    @Test func elementsAreReadWithTheirEntitiesDecoded() {
        let text = "<ListBucketResult><Contents><Key>a&amp;b &lt;c&gt; &#233;&#x41;</Key></Contents><Contents><Key>d</Key></Contents><IsTruncated>false</IsTruncated></ListBucketResult>"
        #expect(XMLText.values(of: "Key", in: text) == ["a&b <c> éA", "d"])
        #expect(XMLText.values(of: "IsTruncated", in: text) == ["false"])
        #expect(XMLText.values(of: "NextContinuationToken", in: text) == [])
        #expect(XMLText.values(of: "Key", in: "<Key>open") == [])
        #expect(XMLText.decode("&bogus; &amp") == "&bogus; &amp")
    }
}
