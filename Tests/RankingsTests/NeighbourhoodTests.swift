import Testing
@testable import Rankings

@Suite struct NeighbourhoodTests {
    let ranked = [10, 20, 30, 40, 50, 60]

    @Test func takesUpToTwoOnEachSide() {
        #expect(Neighbourhood(position: 2, in: ranked) == Neighbourhood(entry: 30, above: [10, 20], below: [40, 50]))
        #expect(Neighbourhood(position: 3, in: ranked) == Neighbourhood(entry: 40, above: [20, 30], below: [50, 60]))
        #expect(Neighbourhood(position: 3, in: ranked).neighbours == [20, 30, 50, 60])
    }

    @Test func stopsAtTheEnds() {
        #expect(Neighbourhood(position: 0, in: ranked) == Neighbourhood(entry: 10, above: [], below: [20, 30]))
        #expect(Neighbourhood(position: 1, in: ranked) == Neighbourhood(entry: 20, above: [10], below: [30, 40]))
        #expect(Neighbourhood(position: 5, in: ranked) == Neighbourhood(entry: 60, above: [40, 50], below: []))
        #expect(Neighbourhood(position: 0, in: [7]) == Neighbourhood(entry: 7, above: [], below: []))
    }

    @Test func reachIsAdjustable() {
        #expect(Neighbourhood(position: 3, in: ranked, reach: 1) == Neighbourhood(entry: 40, above: [30], below: [50]))
    }
}
