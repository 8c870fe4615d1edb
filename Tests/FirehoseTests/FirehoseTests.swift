import Testing
@testable import Firehose
