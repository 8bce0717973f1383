import Foundation

/// The commands' JSON reports (`bench`, `stress`): one line, keys sorted, so that runs diff cleanly.
enum JSONOutput {
    static func encode<T: Encodable>(_ value: T, orEmpty empty: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? empty
    }
}
