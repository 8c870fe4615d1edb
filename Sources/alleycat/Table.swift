/// Aligned text columns: numbers right-aligned, text left-aligned.
///
/// Cells come from the stream (racer names), so they are made safe for a terminal:
/// control characters and bidirectional overrides are written as `\u{…}` escapes,
/// and a cell longer than `maxCellWidth` characters is cut with an ellipsis. The work
/// is linear in the cells' lengths (a 100 KB name costs one pass, not one per character).
struct Table {
    static let maxCellWidth = 40

    var headers: [String]
    var rows: [[String]] = []
    var rightAligned: Set<Int> = []

    init(_ headers: String..., rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rightAligned = rightAligned
    }

    mutating func add(_ cells: String...) {
        rows.append(cells.map { terminalSafe($0, maxWidth: Self.maxCellWidth) })
    }

    var text: String {
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            var text = cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        return ([line(headers), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
    }
}

/// `text` safe to print on a terminal: C0 and C1 control characters, DEL and the
/// bidirectional controls are escaped as `\u{1B}`; with `maxWidth`, a longer result is
/// cut to `maxWidth` characters, the last one an ellipsis. Reads no further than it keeps.
func terminalSafe(_ text: some Sequence<Character>, maxWidth: Int? = nil) -> String {
    var result = ""
    var width = 0
    let limit = maxWidth ?? .max
    for character in text {
        let piece: String
        if character.unicodeScalars.contains(where: isUnsafe) {
            piece = character.unicodeScalars.map { isUnsafe($0) ? "\\u{\(String($0.value, radix: 16, uppercase: true))}" : String($0) }.joined()
        } else {
            piece = String(character)
        }
        result += piece
        width += piece.count
        if width > limit { return String(result.prefix(limit - 1)) + "…" }
    }
    return result
}

private func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F: true
    case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
    default: false
    }
}

/// 114.24 → "114.24", 100 → "100", 3.14159 → "3.14".
func formatOutput(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    if rounded == rounded.rounded() { return String(Int64(rounded)) }
    return String(rounded)
}
