import Testing
@testable import RaceModel
