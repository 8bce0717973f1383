/// What a cell *is* (a header, a churn value, the status bar...); themes decide how each role looks.
///
/// The raw value is the element name used in theme files. A role a theme leaves out looks like its
/// `parent`, and so on up to `normal`, so a theme only needs the lines it cares about.
public enum StyleRole: String, CaseIterable, Sendable, Hashable {
    case normal
    case title
    case header
    case headerSorted = "header.sorted"
    case headerCursor = "header.cursor"
    case level
    case separator
    case rowAlt = "row.alt"
    case rowCursor = "row.cursor"
    case null
    case bar
    case churnOK = "churn.ok"
    case churnWarn = "churn.warn"
    case churnBad = "churn.bad"
    case status
    case statusRaw = "status.raw"
    case messageInfo = "message.info"
    case messageError = "message.error"
    case keysKey = "keys.key"
    case keysLabel = "keys.label"
    case dialog
    case dialogTitle = "dialog.title"
    case dialogCursor = "dialog.cursor"
    case dialogActive = "dialog.active"
    case dialogDisabled = "dialog.disabled"
    case dialogError = "dialog.error"
    case progressDone = "progress.done"
    case progressTodo = "progress.todo"
    case diff

    /// The role whose style this one takes when a theme does not set it.
    public var parent: StyleRole? {
        switch self {
        case .normal: return nil
        case .headerSorted, .headerCursor: return .header
        case .statusRaw: return .status
        case .dialogTitle, .dialogCursor, .dialogActive, .dialogDisabled, .dialogError,
             .progressDone, .progressTodo, .diff:
            return .dialog
        default: return .normal
        }
    }

    /// One line describing the element, for the theme documentation.
    public var summary: String {
        switch self {
        case .normal: return "table body and anything not set otherwise"
        case .title: return "top line (title and position)"
        case .header: return "column headers"
        case .headerSorted: return "header of the sorted column"
        case .headerCursor: return "header of the column under the cursor"
        case .level: return "the frozen Level column"
        case .separator: return "the rule after the Level column"
        case .rowAlt: return "every other row (zebra stripes)"
        case .rowCursor: return "the selected row"
        case .null: return "the — shown for undefined values"
        case .bar: return "the inline Funnel % bar"
        case .churnOK: return "churn below churn.warn.from"
        case .churnWarn: return "churn from churn.warn.from up to churn.bad.from"
        case .churnBad: return "churn at or above churn.bad.from"
        case .status: return "status bar"
        case .statusRaw: return "the source field of the status bar while on the raw path"
        case .messageInfo: return "bottom line messages"
        case .messageError: return "bottom line errors and warnings"
        case .keysKey: return "key names in the bottom key bar"
        case .keysLabel: return "labels in the bottom key bar"
        case .dialog: return "panes, dialogs, help"
        case .dialogTitle: return "dialog titles and borders' titles"
        case .dialogCursor: return "the highlighted line of a pane or menu"
        case .dialogActive: return "the chosen value in a pane (●)"
        case .dialogDisabled: return "menu items that cannot be used"
        case .dialogError: return "errors inside dialogs"
        case .progressDone: return "filled part of a progress bar"
        case .progressTodo: return "empty part of a progress bar"
        case .diff: return "values that differ between fast and raw (verify)"
        }
    }
}
