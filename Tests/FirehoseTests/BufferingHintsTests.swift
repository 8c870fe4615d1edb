import Testing
@testable import Firehose

@Suite struct BufferingHintsTests {
    @Test func rangesAreChecked() {
        #expect(throws: FirehoseConfigurationError("SizeInMBs is 0, must be 1 to 128")) { try BufferingHints(sizeInMBs: 0) }
        #expect(throws: FirehoseConfigurationError("SizeInMBs is 129, must be 1 to 128")) { try BufferingHints(sizeInMBs: 129) }
        #expect(throws: FirehoseConfigurationError("IntervalInSeconds is 901, must be 0 to 900")) { try BufferingHints(intervalInSeconds: 901) }
        #expect(throws: FirehoseConfigurationError("IntervalInSeconds is -1, must be 0 to 900")) { try BufferingHints(intervalInSeconds: -1) }
        #expect(BufferingHints.standard.sizeInBytes == 1_048_576)
        #expect(BufferingHints.standard.intervalMillis == 60_000)
    }
}
