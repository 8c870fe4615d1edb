#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import RaceModel

/// Shows a load run's progress: a redrawn bar on a terminal, otherwise a plain
/// line every 10 percent (for logs and CI).
public final class ProgressReporter {
    private let isTerminal: Bool
    private let label: String
    private var lastTenth = -1
    private var lastDrawNanos: Int64 = 0

    public init(label: String, isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.isTerminal = isTerminal
    }

    public func update(_ progress: LoadProgress) {
        update(
            fraction: progress.fraction,
            terminal: "race \(progress.race + 1) second \(progress.second)  \(progress.accepted)/\(progress.total) accepted",
            line: "race \(progress.race + 1), second \(progress.second), \(progress.accepted) of \(progress.total) accepted")
    }

    /// Any long run's progress: `terminal` after the bar, `line` in the plain lines.
    public func update(fraction: Double, terminal: @autoclosure () -> String, line: @autoclosure () -> String) {
        if isTerminal {
            let now = SystemClock.monotonicNanos()
            // Redraw at most 20 times a second; always draw the last state.
            guard now - lastDrawNanos > 50_000_000 || fraction >= 1 else { return }
            lastDrawNanos = now
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            write("\r\(label) [\(bar)] \(Int(fraction * 100))%  \(terminal())" + (fraction >= 1 ? "\n" : ""))
        } else {
            let tenth = Int(fraction * 10)
            guard tenth > lastTenth else { return }
            lastTenth = tenth
            write("\(label): \(tenth * 10)% (\(line()))\n")
        }
    }

    private func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = Glibc.write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    }
}

