/// A race is finished once any of its racers has reported the final second.
public enum RaceStatus: String, Sendable, Equatable {
    case running
    case finished
}
