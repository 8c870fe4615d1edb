import Testing
@testable import Rankings
