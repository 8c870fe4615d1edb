import Testing
@testable import Leaderboard
