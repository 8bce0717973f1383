/// Copies of `themes/default.theme` and `themes/mono.theme`, so the dashboard has colours (and a
/// `NO_COLOR` theme) even when it cannot find its `themes/` folder. A test keeps them equal to the files.
public enum BuiltinThemes {
    /// The text of `themes/default.theme`.
    public static let defaultText = """
# levelfunnel theme: default
# Basic colours on the terminal's own background: looks right on dark and light terminals,
# and on 8- or 16-colour terminals too.
# Format: element = foreground, background, attributes   (see docs/guide.md)

normal          = default, default
title           = black, cyan, bold
header          = black, white
header.sorted   = black, white, bold underline
header.cursor   = black, yellow, bold
level           = cyan, default, bold
separator       = bright-black, default
row.cursor      = black, cyan
null            = bright-black, default
bar             = green, default
churn.ok        = green, default
churn.warn      = yellow, default, bold
churn.bad       = red, default, bold
status          = black, white
status.raw      = bright-white, magenta, bold
message.info    = cyan, default
message.error   = bright-white, red, bold
keys.key        = default, default, bold
keys.label      = black, cyan
dialog          = white, blue
dialog.title    = bright-yellow, blue, bold
dialog.cursor   = black, cyan
dialog.active   = bright-yellow, blue, bold
dialog.disabled = cyan, blue
dialog.error    = bright-white, red, bold
progress.done   = bright-green, blue, bold
progress.todo   = cyan, blue
diff            = bright-white, red, bold

# Churn thresholds (percent): churn at or above churn.warn.from is drawn as churn.warn,
# at or above churn.bad.from as churn.bad, below as churn.ok.
churn.warn.from = 10
churn.bad.from  = 25
"""

    /// The text of `themes/mono.theme`.
    public static let monoText = """
# levelfunnel theme: mono
# No colour at all, only attributes: what NO_COLOR and colourless terminals get.
# Churn severity stays visible: warn is underlined, bad is bold and underlined.

normal          = default, default
title           = default, default, bold reverse
header          = default, default, bold underline
header.sorted   = default, default, bold underline
header.cursor   = default, default, bold reverse
level           = default, default, bold
separator       = default, default, dim
row.cursor      = default, default, reverse
null            = default, default, dim
bar             = default, default
churn.ok        = default, default
churn.warn      = default, default, underline
churn.bad       = default, default, bold underline
status          = default, default, reverse
status.raw      = default, default, bold reverse
message.info    = default, default, bold
message.error   = default, default, bold reverse
keys.key        = default, default, bold
keys.label      = default, default, reverse
dialog          = default, default
dialog.title    = default, default, bold
dialog.cursor   = default, default, reverse
dialog.active   = default, default, bold
dialog.disabled = default, default, dim
dialog.error    = default, default, bold underline
progress.done   = default, default, bold
progress.todo   = default, default, dim
diff            = default, default, bold reverse

churn.warn.from = 10
churn.bad.from  = 25
"""

    public static var defaultTheme: Theme { ThemeParser.parse(defaultText, name: "default") }
    public static var mono: Theme { ThemeParser.parse(monoText, name: "mono") }
}
