import Foundation

/// Reads the theme text format.
///
/// ```
/// # comment
/// header       = black, cyan, bold          # element = foreground, background, attributes
/// row.cursor   = 16, 214, bold underline    # 256-colour numbers; several attributes with spaces or +
/// null         = bright-black, default      # attributes may be left out (none)
/// churn.warn.from = 10                      # churn thresholds, percent
/// churn.bad.from  = 25
/// ```
/// A line that cannot be read is skipped and reported with its number; parsing never fails.
public enum ThemeParser {
    /// Parses `text` into a theme called `name`.
    public static func parse(_ text: String, name: String, path: String? = nil) -> Theme {
        var theme = Theme(name: name, path: path)
        var diagnostics: [ThemeDiagnostic] = []
        var thresholdLine: Int?

        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = stripComment(String(rawLine)).trimmingWhitespace()
            if line.isEmpty { continue }
            guard let eq = line.firstIndex(of: "=") else {
                diagnostics.append(.init(line: lineNumber, message: "expected `element = foreground, background, attributes`"))
                continue
            }
            let key = String(line[..<eq]).trimmingWhitespace().lowercased()
            let value = String(line[line.index(after: eq)...]).trimmingWhitespace()

            if key == "churn.warn.from" || key == "churn.bad.from" {
                guard let number = Double(value), number.isFinite else {
                    diagnostics.append(.init(line: lineNumber, message: "\(key) needs a number (percent), got '\(value)'"))
                    continue
                }
                if key == "churn.warn.from" { theme.churnWarn = number } else { theme.churnBad = number }
                thresholdLine = lineNumber
                continue
            }
            guard let role = StyleRole(rawValue: key) else {
                diagnostics.append(.init(line: lineNumber, message: "unknown element '\(key)'"))
                continue
            }
            switch parseStyle(value) {
            case .success(let style): theme.styles[role] = style
            case .failure(let problem): diagnostics.append(.init(line: lineNumber, message: "\(key): \(problem.message)"))
            }
        }
        if theme.churnWarn > theme.churnBad {
            diagnostics.append(.init(line: thresholdLine ?? 0,
                                     message: "churn.warn.from (\(theme.churnWarn)) is above churn.bad.from (\(theme.churnBad)); using \(Theme.defaultChurnWarn) and \(Theme.defaultChurnBad)"))
            theme.churnWarn = Theme.defaultChurnWarn
            theme.churnBad = Theme.defaultChurnBad
        }
        theme.diagnostics = diagnostics
        return theme
    }

    struct Problem: Error { var message: String }

    /// `fg, bg[, attributes]`.
    static func parseStyle(_ value: String) -> Result<Style, Problem> {
        let fields = value.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
        guard fields.count == 2 || fields.count == 3 else {
            return .failure(Problem(message: "expected `foreground, background[, attributes]`, got \(fields.count) field\(fields.count == 1 ? "" : "s")"))
        }
        var style = Style()
        switch parseColor(fields[0]) {
        case .success(let c): style.foreground = c
        case .failure(let p): return .failure(p)
        }
        switch parseColor(fields[1]) {
        case .success(let c): style.background = c
        case .failure(let p): return .failure(p)
        }
        if fields.count == 3 {
            let words = fields[2].lowercased().split(whereSeparator: { $0 == " " || $0 == "+" || $0 == "|" || $0 == "\t" })
            for word in words {
                guard let attribute = TextAttributes.names[String(word)] else {
                    return .failure(Problem(message: "unknown attribute '\(word)' (use bold, underline, reverse, dim or none)"))
                }
                style.attributes.formUnion(attribute)
            }
        }
        return .success(style)
    }

    /// A colour name, `default`, or a number 0–255.
    static func parseColor(_ text: String) -> Result<ThemeColor, Problem> {
        let name = text.lowercased().replacingOccurrences(of: "_", with: "-")
        if name == "default" || name == "none" { return .success(.terminalDefault) }
        if let index = ThemeColor.names[name] ?? ThemeColor.names[name.replacingOccurrences(of: "bright", with: "bright-")] {
            return .success(.index(index))
        }
        if let number = Int(name) {
            guard (0...255).contains(number) else { return .failure(Problem(message: "colour \(number) is outside 0–255")) }
            return .success(.index(number))
        }
        if name.isEmpty { return .failure(Problem(message: "missing colour")) }
        return .failure(Problem(message: "unknown colour '\(text)'"))
    }

    /// Removes a `#` comment (themes have no quoted strings, so any `#` starts one).
    private static func stripComment(_ line: String) -> String {
        guard let hash = line.firstIndex(of: "#") else { return line }
        return String(line[..<hash])
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
