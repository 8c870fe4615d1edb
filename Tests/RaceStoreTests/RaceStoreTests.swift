import Testing
@testable import RaceStore
