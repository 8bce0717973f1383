import Dashboard
import Foundation
import Testing

@Suite("Themes")
struct ThemeTests {
    @Test func parsesElementsColoursAttributesAndThresholds() {
        let theme = ThemeParser.parse("""
            # a comment
            header        = black, cyan, bold underline   # trailing comment
            row.cursor    = 16, 214, bold+reverse
            null          = bright-black, default
            churn.bad     = brightred, default, dim
            churn.warn.from = 5
            churn.bad.from  = 12.5
            """, name: "t")
        #expect(theme.diagnostics.isEmpty)
        #expect(theme.style(.header) == Style(foreground: .index(0), background: .index(6), attributes: [.bold, .underline]))
        #expect(theme.style(.rowCursor) == Style(foreground: .index(16), background: .index(214), attributes: [.bold, .reverse]))
        #expect(theme.style(.null) == Style(foreground: .index(8), background: .terminalDefault))
        #expect(theme.style(.churnBad) == Style(foreground: .index(9), background: .terminalDefault, attributes: [.dim]))
        #expect(theme.churnWarn == 5 && theme.churnBad == 12.5)
        // Unset roles inherit: header.sorted from header, dialog.title from dialog then normal.
        #expect(theme.style(.headerSorted) == theme.style(.header))
        #expect(theme.style(.dialogTitle) == .plain)
    }

    @Test func brokenLinesAreReportedWithNumbersAndSkipped() {
        let theme = ThemeParser.parse("""
            header = black, cyan
            no equals sign here
            hedaer = black, cyan
            title = purpel, default
            status = 300, default
            level = red, default, blinking
            bar = red
            churn.warn.from = lots
            normal = white, black
            """, name: "broken")
        #expect(theme.diagnostics.map(\.line) == [2, 3, 4, 5, 6, 7, 8])
        #expect(theme.diagnostics[1].description == "line 3: unknown element 'hedaer'")
        #expect(theme.diagnostics[2].description == "line 4: title: unknown colour 'purpel'")
        #expect(theme.diagnostics[3].message.contains("outside 0–255"))
        #expect(theme.diagnostics[4].message.contains("unknown attribute 'blinking'"))
        #expect(theme.diagnostics[5].message.contains("got 1 field"))
        #expect(theme.diagnostics[6].message.contains("needs a number"))
        // Good lines around the broken ones still apply.
        #expect(theme.style(.header).background == .index(6))
        #expect(theme.style(.normal) == Style(foreground: .index(7), background: .index(0)))
        #expect(theme.churnWarn == Theme.defaultChurnWarn)
    }

    @Test func invertedThresholdsFallBackToDefaults() {
        let theme = ThemeParser.parse("churn.warn.from = 30\nchurn.bad.from = 20\n", name: "t")
        #expect(theme.churnWarn == 10 && theme.churnBad == 25)
        #expect(theme.diagnostics.count == 1 && theme.diagnostics[0].line == 2)
    }

    @Test func churnSeverityFollowsTheThresholds() {
        let theme = Theme(name: "t", churnWarn: 10, churnBad: 25)
        #expect(theme.churnRole(nil) == .null)
        #expect(theme.churnRole(-3) == .churnOK)
        #expect(theme.churnRole(9.99) == .churnOK)
        #expect(theme.churnRole(10) == .churnWarn)
        #expect(theme.churnRole(24.9) == .churnWarn)
        #expect(theme.churnRole(25) == .churnBad)
    }

    @Test func churnCellsAreStyledBySeverityOnScreen() {
        let h = Harness()
        // Level 7 (row index 6): churn total 28.8 (bad), start→complete 23.7 (warn), complete→next 6.7 (ok).
        let layout = TableLayout(table: h.state.table, firstColumn: 0, width: 120)
        let y = TableLayout.bodyTop + 6
        func role(_ column: ColumnID) -> StyleRole {
            let placed = layout.visible.first { $0.column == column }!
            return h.screen[placed.x + placed.width - 1, y].role
        }
        #expect(role(.churnTotal) == .churnBad)
        #expect(role(.churnStartComplete) == .churnWarn)
        #expect(role(.churnCompleteNext) == .churnOK)
        #expect(role(.starts) == .normal)
    }

    @Test func bundledThemesParseCleanlyAndCoverEveryElement() {
        let catalog = ThemeLoader.load(directories: [Fixtures.themesDirectory])
        #expect(catalog.names == ["default", "dark", "light", "solarized", "high-contrast", "mono"])
        for theme in catalog.themes {
            #expect(theme.diagnostics.isEmpty, "\(theme.name): \(theme.diagnostics)")
            #expect(Set(theme.styles.keys) == Set(StyleRole.allCases.filter { $0 != .rowAlt }), "\(theme.name)")
        }
        #expect(catalog.theme(named: "mono")!.isMonochrome)
        #expect(!catalog.theme(named: "default")!.isMonochrome)
    }

    @Test func builtinCopiesMatchTheFiles() throws {
        let dir = Fixtures.themesDirectory
        let defaultFile = try String(contentsOfFile: dir + "/default.theme", encoding: .utf8)
        let monoFile = try String(contentsOfFile: dir + "/mono.theme", encoding: .utf8)
        #expect(BuiltinThemes.defaultText + "\n" == defaultFile)
        #expect(BuiltinThemes.monoText + "\n" == monoFile)
    }

    @Test func userThemesOverrideAndAddThemes() throws {
        let user = FileManager.default.temporaryDirectory.appendingPathComponent("lf-themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: user, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: user) }
        try "normal = red, default\n".write(to: user.appendingPathComponent("dark.theme"), atomically: true, encoding: .utf8)
        try "normal = 99, default\noops\n".write(to: user.appendingPathComponent("zebra.theme"), atomically: true, encoding: .utf8)
        try "not a theme".write(to: user.appendingPathComponent("README"), atomically: true, encoding: .utf8)
        let catalog = ThemeLoader.load(directories: [Fixtures.themesDirectory, user.path, "/nonexistent"])
        #expect(catalog.names == ["default", "dark", "light", "solarized", "high-contrast", "mono", "zebra"])
        #expect(catalog.theme(named: "dark")!.style(.normal).foreground == .index(1))
        #expect(catalog.theme(named: "zebra")!.diagnostics == [ThemeDiagnostic(line: 2, message: "expected `element = foreground, background, attributes`")])
        #expect(catalog.directories == [Fixtures.themesDirectory, user.path])
    }

    @Test func builtinsAreUsedWhenNoFolderExists() {
        let catalog = ThemeLoader.load(directories: ["/nonexistent"])
        #expect(catalog.names == ["default", "mono"])
    }

    @Test func bundledFolderIsFoundFromEnvExecutableOrCurrentDirectory() {
        let root = Fixtures.repositoryRoot.path
        #expect(ThemeLoader.bundledDirectory(environment: ["LEVELFUNNEL_THEMES": "/x/y"], executablePath: nil,
                                             currentDirectory: "/") == "/x/y")
        #expect(ThemeLoader.bundledDirectory(environment: [:], executablePath: root + "/.build/debug/levelfunnel",
                                             currentDirectory: "/") == root + "/themes")
        #expect(ThemeLoader.bundledDirectory(environment: [:], executablePath: nil,
                                             currentDirectory: root + "/Sources/Dashboard") == root + "/themes")
        #expect(ThemeLoader.bundledDirectory(environment: [:], executablePath: "/usr/bin/true", currentDirectory: "/") == nil)
        #expect(ThemeLoader.userDirectory(environment: ["HOME": "/home/u"]) == "/home/u/.config/levelfunnel/themes")
        #expect(ThemeLoader.userDirectory(environment: ["XDG_CONFIG_HOME": "/cfg", "HOME": "/home/u"]) == "/cfg/levelfunnel/themes")
    }

    @Test func coloursFallBackOnSmallerPalettes() {
        #expect(ColorApproximation.map(.index(196), colors: 8) == .index(1))   // bright red → red
        #expect(ColorApproximation.map(.index(21), colors: 8) == .index(4))    // blue
        #expect(ColorApproximation.map(.index(46), colors: 8) == .index(2))    // green
        #expect(ColorApproximation.map(.index(231), colors: 8) == .index(7))   // white
        #expect(ColorApproximation.map(.index(234), colors: 8) == .index(0))   // near black grey
        #expect(ColorApproximation.map(.index(9), colors: 8) == .index(1))     // bright-red → red
        #expect(ColorApproximation.map(.index(9), colors: 16) == .index(9))
        #expect(ColorApproximation.map(.index(196), colors: 16) == .index(9))
        #expect(ColorApproximation.map(.index(3), colors: 8) == .index(3))
        #expect(ColorApproximation.map(.index(114), colors: 8) == .index(2))   // pastel green stays green
        #expect(ColorApproximation.map(.index(214), colors: 8) == .index(3))   // orange → yellow
        #expect(ColorApproximation.map(.index(240), colors: 16) == .index(8))  // mid grey → bright black
        #expect(ColorApproximation.map(.index(255), colors: 16) == .index(15))
        #expect(ColorApproximation.map(.index(3), colors: 0) == .terminalDefault)
        #expect(ColorApproximation.map(.terminalDefault, colors: 8) == .terminalDefault)
        let dark = Fixtures.themes.first { $0.name == "dark" }!
        let eight = dark.adapted(toColors: 8)
        for role in StyleRole.allCases {
            for color in [eight.style(role).foreground, eight.style(role).background] {
                if case .index(let n) = color { #expect(n < 8, "\(role) → \(n)") }
            }
            // No text disappears into its background.
            if dark.style(role).foreground != dark.style(role).background {
                #expect(eight.style(role).foreground != eight.style(role).background, "\(role)")
            }
        }
        #expect(dark.withoutColors.isMonochrome)
    }
}
