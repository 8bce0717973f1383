import Foundation

/// Where the running program's file is, symlinks resolved: what the kernel ran (`/proc/self/exe`), not
/// `argv[0]`, which is only the name typed when the program was found on `PATH`.
public enum RunningExecutable {
    public static var path: String {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        return exe == "/proc/self/exe" ? CommandLine.arguments[0] : exe
    }
}
