import Foundation
import Testing

/// Compares `text` with `Snapshots/NAME.txt`.
///
/// `RECORD_SNAPSHOTS=1 swift test --filter DashboardTests` (re)writes the files. Without it a
/// missing or different snapshot fails the test, and the actual text is written next to the
/// snapshot as `NAME.actual.txt` to look at (git ignores nothing there: delete it after).
func assertSnapshot(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = directory.appendingPathComponent("\(name).txt")
    let actualFile = directory.appendingPathComponent("\(name).actual.txt")
    let content = text + "\n"
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? content.write(to: file, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(at: actualFile)
        return
    }
    guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
        try? content.write(to: actualFile, atomically: true, encoding: .utf8)
        Issue.record("missing snapshot \(name).txt: record it with RECORD_SNAPSHOTS=1", sourceLocation: sourceLocation)
        return
    }
    if expected == content {
        try? FileManager.default.removeItem(at: actualFile)
        return
    }
    try? content.write(to: actualFile, atomically: true, encoding: .utf8)
    let e = expected.components(separatedBy: "\n"), a = content.components(separatedBy: "\n")
    let line = (0..<min(e.count, a.count)).first { e[$0] != a[$0] } ?? min(e.count, a.count)
    let expectedLine = line < e.count ? e[line] : "<end>"
    let actualLine = line < a.count ? a[line] : "<end>"
    Issue.record("""
        snapshot \(name) differs at line \(line + 1) (actual text in \(actualFile.lastPathComponent)):
          expected: \(expectedLine)
          actual:   \(actualLine)
        """, sourceLocation: sourceLocation)
}
