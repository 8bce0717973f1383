import ArgumentParser
import Dashboard
import DashboardCurses
import Foundation
import LevelFunnelCore

/// `levelfunnel tui`: the interactive dashboard (the default command).
struct TuiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Browse the Level Funnel interactively in the terminal (the default command).",
        discussion: """
            Reads the fast path (the daily aggregates); `r` switches the current view to the raw path to compare. \
            Press ? inside for every key. Themes come from the themes/ folder, installed from \
            PREFIX/share/levelfunnel/themes (or $LEVELFUNNEL_THEMES), and ~/.config/levelfunnel/themes; NO_COLOR=1 turns colours off. `e` writes CSV files to the current \
            directory (or $LEVELFUNNEL_EXPORT_DIR).

            In a UTF-8 locale it draws with UTF-8 glyphs; in any other locale (LANG=C, POSIX, Latin-1), or with \
            --ascii, with ASCII and the terminal's own line-drawing characters, names it cannot show marked with ?. \
            A terminal that cannot move the cursor (TERM=dumb, an unknown TERM) is refused with exit status 2.

            Examples:
              levelfunnel
              levelfunnel tui --game demo --theme solarized
              NO_COLOR=1 levelfunnel tui --no-mouse
              levelfunnel tui --ascii
            """)

    @Option(help: "Game to open (default: the first game; `o` switches inside).")
    var game: String?

    @Option(help: "Theme to start with: default, dark, light, solarized, high-contrast, mono, or your own.")
    var theme: String?

    @Flag(name: .customLong("no-mouse"), help: "Ignore the mouse (wheel scrolling, header clicks).")
    var noMouse = false

    @Flag(help: "Draw with ASCII and the terminal's line-drawing characters, as in a locale that is not UTF-8.")
    var ascii = false

    @Option(help: ArgumentHelp("Open a saved view (w saves one, W opens one inside; see ~/.config/levelfunnel/views.toml).",
                               valueName: "name"))
    var view: String?

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        // The terminal first (no database needed to refuse TERM=dumb or a pipe), then the connection,
        // the schema and the game, before taking over the terminal: mistakes print as one plain line
        // instead of flashing inside the dashboard.
        if let problem = TerminalSupport.problem() {
            FileHandle.standardError.write(Data("levelfunnel: \(problem)\n".utf8))
            throw ExitCode(2)
        }
        let viewsPath = SavedViews.defaultPath()
        let saved = try CLIErrors.report { () -> SavedView? in
            let saved = try view.map { try SavedViews.named($0, path: viewsPath) }
            let store = try database.openStore()
            try store.requireSchema()
            if let game = saved?.game ?? game { _ = try store.game(game) }
            return saved
        }
        let url = database.url
        let launch = DashboardLaunch(
            options: DashboardOptions(game: game, themeName: theme, mouse: !noMouse, glyphs: ascii ? .ascii : .unicode)
                .opening(view: saved, named: view, path: viewsPath),
            makeBackend: { try LiveBackend(url: url) })
        let status = DashboardApp.run(launch)
        if status != 0 { throw ExitCode(status) }
    }
}
