// Writes the manual pages of a swift-argument-parser command, one per command, in mdoc(7):
//
//   manpages BINARY OUTPUT-DIRECTORY [YYYY-MM-DD]
//
// Everything comes from `BINARY --experimental-dump-help` (ArgumentParser's ToolInfo JSON, made from the same
// declarations as --help), so the pages are never written by hand. Pages: BINARY(1) with the list of commands,
// and BINARY-COMMAND(1) for each command (ArgumentParser's own `help` left out).
// ArgumentParser's generate-manual tool is not used: it drops every non-ASCII character (a "−" in a help text)
// and leaves blank lines that mdoc warns about.
import Foundation

/// The part of ArgumentParser's ToolInfoV0 that the pages show.
struct ToolInfo: Decodable {
    var serializationVersion: Int
    var command: Command
}

struct Command: Decodable {
    var commandName: String
    var abstract: String?
    var discussion: String?
    var shouldDisplay: Bool?
    var subcommands: [Command]?
    var arguments: [Argument]?
}

struct Argument: Decodable {
    struct Name: Decodable {
        var kind: String   // long, short, longWithSingleDash
        var name: String
    }
    var kind: String       // positional, option, flag
    var shouldDisplay: Bool
    var isOptional: Bool
    var isRepeating: Bool
    var names: [Name]?
    var preferredName: Name?
    var valueName: String?
    var defaultValue: String?
    var allValues: [String]?
    var abstract: String?
    var discussion: String?
}

/// mdoc text: escapes and the small macros the pages use.
enum Mdoc {
    /// A text line: `\` written as `\e`, a leading `.` or `'` kept from being read as a macro.
    static func text(_ line: String) -> String {
        let escaped = line.replacingOccurrences(of: "\\", with: "\\e")
        return escaped.hasPrefix(".") || escaped.hasPrefix("'") ? "\\&" + escaped : escaped
    }

    /// One macro argument: quoted when it has blanks, `"` as `\(dq`, and kept from being read as a macro name.
    static func argument(_ value: String) -> String {
        var escaped = value.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "\"", with: "\\(dq")
        if escaped.range(of: #"^[A-Z][a-z][A-Za-z]?$"#, options: .regularExpression) != nil { escaped = "\\&" + escaped }
        return escaped.contains(" ") || escaped.isEmpty ? "\"\(escaped)\"" : escaped
    }

    /// A flag name as `Fl` wants it (`Fl -game` prints `--game`).
    static func flag(_ name: Argument.Name) -> String {
        "Fl " + argument(name.kind == "long" ? "-" + name.name : name.name)
    }

    /// Paragraphs separated by `.Pp`; lines indented by the help text (examples) in a literal display.
    static func paragraphs(_ text: String) -> [String] {
        var lines: [String] = []
        for (index, paragraph) in text.components(separatedBy: "\n\n").enumerated() {
            if index > 0 { lines.append(".Pp") }
            var literal = false
            for line in paragraph.components(separatedBy: "\n") {
                let indented = line.hasPrefix(" ")
                if indented != literal {
                    lines.append(indented ? ".Bd -literal -offset indent" : ".Ed")
                    literal = indented
                }
                lines.append(Mdoc.text(indented ? String(line.drop { $0 == " " }) : line))
            }
            if literal { lines.append(".Ed") }
        }
        return lines
    }
}

/// One manual page in mdoc.
struct Page {
    var tool: String
    var command: Command
    /// `levelfunnel query`'s words: the tool, then the command's name (none for the tool's own page).
    var path: [String]
    var siblings: [Command]
    var date: String

    var name: String { path.joined(separator: "-") }
    var fileName: String { name + ".1" }

    var arguments: [Argument] { (command.arguments ?? []).filter(\.shouldDisplay) }

    func render() -> String {
        var lines = [
            #".\" -*- coding: UTF-8 -*-"#,
            #".\" Generated from `\#(tool) --experimental-dump-help` by scripts/manpages.swift: do not edit."#,
            ".Dd " + date,
            ".Dt \(name.uppercased()) 1",
            ".Os " + Mdoc.argument(tool),
            ".Sh NAME",
            ".Nm " + Mdoc.argument(name),
            ".Nd " + Mdoc.argument(command.abstract ?? ""),
            ".Sh SYNOPSIS",
            ".Nm " + Mdoc.argument(tool) + (path.count > 1 ? " Cm " + Mdoc.argument(command.commandName) : ""),
        ]
        if path.count == 1, !siblings.isEmpty { lines.append(".Op Ar command") }
        lines += arguments.map(synopsis)
        lines.append(".Sh DESCRIPTION")
        if let discussion = command.discussion, !discussion.isEmpty {
            lines += Mdoc.paragraphs(discussion)
        } else {
            lines.append(Mdoc.text(command.abstract ?? ""))
        }
        if path.count == 1, !siblings.isEmpty {
            let widest = siblings.map(\.commandName).max { $0.count < $1.count } ?? "Ds"
            lines += [".Sh COMMANDS", ".Bl -tag -width " + Mdoc.argument(widest)]
            for sub in siblings {
                lines += [".It Cm " + Mdoc.argument(sub.commandName), Mdoc.text(sub.abstract ?? ""),
                          "See", ".Xr \(tool)-\(sub.commandName) 1 ."]
            }
            lines.append(".El")
        }
        if !arguments.isEmpty {
            lines += [".Sh OPTIONS", ".Bl -tag -width Ds"]
            for argument in arguments { lines += item(argument) }
            lines.append(".El")
        }
        lines.append(".Sh SEE ALSO")
        let related = path.count == 1 ? siblings.map { "\(tool)-\($0.commandName)" } : [tool]
        for (index, page) in related.enumerated() {
            lines.append(".Xr \(page) 1" + (index < related.count - 1 ? " ," : ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `[--game game ...]` in the synopsis.
    func synopsis(_ argument: Argument) -> String {
        var words: [String] = []
        if let name = argument.preferredName { words.append(Mdoc.flag(name)) }
        if argument.kind != "flag" { words.append("Ar " + Mdoc.argument(argument.valueName ?? "value")) }
        if argument.isRepeating { words.append("No ...") }
        return (argument.isOptional ? ".Op " : ".") + words.joined(separator: " ")
    }

    /// The option's names and value, then its help as --help prints it: abstract, values and default, discussion.
    func item(_ argument: Argument) -> [String] {
        var title = (argument.names ?? []).map(Mdoc.flag).joined(separator: " , ")
        if argument.kind != "flag" {
            title += (title.isEmpty ? "" : " ") + "Ar " + Mdoc.argument(argument.valueName ?? "value")
        }
        if argument.isRepeating { title += " No ..." }
        var help = argument.abstract ?? ""
        let values = (argument.allValues ?? []).filter { !$0.isEmpty }
        let defaultValue = argument.defaultValue.flatMap { $0.isEmpty ? nil : $0 }
        switch (values.isEmpty, defaultValue) {
        case (false, let value?): help += " (values: \(values.joined(separator: ", ")); default: \(value))"
        case (false, nil): help += " (values: \(values.joined(separator: ", ")))"
        case (true, let value?): help += " (default: \(value))"
        case (true, nil): break
        }
        var lines = [".It " + title, Mdoc.text(help.trimmingCharacters(in: .whitespaces))]
        if let discussion = argument.discussion, !discussion.isEmpty {
            lines += [".Pp"] + Mdoc.paragraphs(discussion)
        }
        return lines
    }
}

/// `2026-11-30` as mdoc's `November 30, 2026`.
func mdocDate(_ day: String) -> String? {
    let parts = day.split(separator: "-").compactMap { Int($0) }
    guard parts.count == 3, (1...12).contains(parts[1]) else { return nil }
    let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December"]
    return "\(months[parts[1] - 1]) \(parts[2]), \(parts[0])"
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("manpages: \(message)\n".utf8))
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count == 3 || arguments.count == 4 else { fail("usage: manpages BINARY OUTPUT-DIRECTORY [YYYY-MM-DD]") }
let (binary, output) = (arguments[1], arguments[2])
let formatter = DateFormatter()
formatter.dateFormat = "yyyy-MM-dd"
formatter.timeZone = TimeZone(identifier: "UTC")
guard let date = mdocDate(arguments.count == 4 ? arguments[3] : formatter.string(from: Date())) else {
    fail("not a date (YYYY-MM-DD): \(arguments[3])")
}

let process = Process()
process.executableURL = URL(fileURLWithPath: binary)
process.arguments = ["--experimental-dump-help"]
let pipe = Pipe()
process.standardOutput = pipe
do { try process.run() } catch { fail("cannot run \(binary): \(error)") }
let json = pipe.fileHandleForReading.readDataToEndOfFile()
process.waitUntilExit()
guard process.terminationStatus == 0 else { fail("\(binary) --experimental-dump-help exited \(process.terminationStatus)") }
let info: ToolInfo
do { info = try JSONDecoder().decode(ToolInfo.self, from: json) } catch { fail("cannot read the help dump: \(error)") }
guard info.serializationVersion == 0 else { fail("help dump version \(info.serializationVersion), this script reads 0") }

let tool = info.command.commandName
let commands = (info.command.subcommands ?? []).filter { $0.shouldDisplay ?? true && $0.commandName != "help" }
var pages = [Page(tool: tool, command: info.command, path: [tool], siblings: commands, date: date)]
pages += commands.map { Page(tool: tool, command: $0, path: [tool, $0.commandName], siblings: [], date: date) }
do {
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    for page in pages {
        try page.render().write(toFile: (output as NSString).appendingPathComponent(page.fileName), atomically: true, encoding: .utf8)
    }
} catch {
    fail("cannot write to \(output): \(error)")
}
print(pages.map(\.fileName).joined(separator: "\n"))
