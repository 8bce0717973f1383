import Foundation
import LevelFunnelCore

/// The themes a dashboard can cycle through, in display order, and where they came from.
public struct ThemeCatalog: Sendable {
    public var themes: [Theme]
    /// The folders that were read, in order (later ones override earlier ones by name).
    public var directories: [String]

    public init(themes: [Theme], directories: [String] = []) {
        self.themes = themes
        self.directories = directories
    }

    /// The theme called `name` (case-insensitive), if present.
    public func theme(named name: String) -> Theme? {
        themes.first { $0.name.lowercased() == name.lowercased() }
    }

    public var names: [String] { themes.map(\.name) }
}

/// Finds and reads theme files (`NAME.theme`).
///
/// Search order: the bundled folder (`$LEVELFUNNEL_THEMES`, else a `themes/` folder or an installed
/// `PREFIX/share/levelfunnel/themes` found by walking up from the executable, then from the current directory),
/// then the user's folder (`$XDG_CONFIG_HOME/levelfunnel/themes`, default `~/.config/levelfunnel/themes`).
/// A user theme with a bundled theme's name replaces it. `default` and `mono` are built in as well,
/// so the dashboard works with no folder at all.
public enum ThemeLoader {
    /// The six bundled themes, shown first and in this order.
    public static let bundledOrder = ["default", "dark", "light", "solarized", "high-contrast", "mono"]

    /// Loads every theme from the standard places.
    public static func loadCatalog(environment: [String: String] = ProcessInfo.processInfo.environment,
                                   executablePath: String? = RunningExecutable.path,
                                   currentDirectory: String = FileManager.default.currentDirectoryPath) -> ThemeCatalog {
        var directories: [String] = []
        if let bundled = bundledDirectory(environment: environment, executablePath: executablePath,
                                          currentDirectory: currentDirectory) {
            directories.append(bundled)
        }
        directories.append(userDirectory(environment: environment))
        return load(directories: directories)
    }

    /// Reads `*.theme` from each folder (missing folders are skipped), adding the built-in
    /// `default` and `mono` when no file provides them.
    public static func load(directories: [String]) -> ThemeCatalog {
        var byName: [String: Theme] = [:]
        var read: [String] = []
        let fm = FileManager.default
        for directory in directories {
            guard let entries = try? fm.contentsOfDirectory(atPath: directory) else { continue }
            read.append(directory)
            for entry in entries.sorted() where entry.hasSuffix(".theme") {
                let path = (directory as NSString).appendingPathComponent(entry)
                guard let data = fm.contents(atPath: path) else { continue }
                let name = String(entry.dropLast(".theme".count))
                let text = String(decoding: data, as: UTF8.self)
                byName[name.lowercased()] = ThemeParser.parse(text, name: name, path: path)
            }
        }
        if byName["default"] == nil { byName["default"] = BuiltinThemes.defaultTheme }
        if byName["mono"] == nil { byName["mono"] = BuiltinThemes.mono }
        return ThemeCatalog(themes: ordered(Array(byName.values)), directories: read)
    }

    /// Bundled themes first in `bundledOrder`, then the rest by name.
    static func ordered(_ themes: [Theme]) -> [Theme] {
        themes.sorted { a, b in
            let ia = bundledOrder.firstIndex(of: a.name.lowercased()) ?? Int.max
            let ib = bundledOrder.firstIndex(of: b.name.lowercased()) ?? Int.max
            return ia != ib ? ia < ib : a.name.lowercased() < b.name.lowercased()
        }
    }

    /// The project's `themes/` folder, if it can be found.
    public static func bundledDirectory(environment: [String: String], executablePath: String?,
                                        currentDirectory: String) -> String? {
        if let explicit = environment["LEVELFUNNEL_THEMES"], !explicit.isEmpty { return explicit }
        var starts: [String] = []
        if let executablePath, !executablePath.isEmpty {
            let absolute = executablePath.hasPrefix("/")
                ? executablePath : (currentDirectory as NSString).appendingPathComponent(executablePath)
            let resolved = (absolute as NSString).resolvingSymlinksInPath
            starts.append((resolved as NSString).deletingLastPathComponent)
        }
        starts.append(currentDirectory)
        for start in starts {
            var dir = (start as NSString).standardizingPath
            while true {
                let candidate = (dir as NSString).appendingPathComponent("themes")
                if FileManager.default.fileExists(atPath: (candidate as NSString).appendingPathComponent("default.theme")) {
                    return candidate
                }
                let installed = (dir as NSString).appendingPathComponent("share/levelfunnel/themes")
                if FileManager.default.fileExists(atPath: (installed as NSString).appendingPathComponent("default.theme")) {
                    return installed
                }
                let parent = (dir as NSString).deletingLastPathComponent
                if parent == dir || parent.isEmpty { break }
                dir = parent
            }
        }
        return nil
    }

    /// `$XDG_CONFIG_HOME/levelfunnel/themes` or `~/.config/levelfunnel/themes`.
    public static func userDirectory(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            return (xdg as NSString).appendingPathComponent("levelfunnel/themes")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".config/levelfunnel/themes")
    }
}
