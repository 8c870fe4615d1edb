import Testing
@testable import KinesisStream
