import Foundation
import Testing

@testable import Kipi

/// Untrusted formulas and data (SPEC §7): what a stranger's formula may read, and the limits
/// that stop a hostile one.
struct ImportCapabilityTests {
    @Test func theLibraryReadsNoFileUnlessItsHostSaysSo() {
        do {
            _ = try Kipi().compile(source: SourceText(name: "user.kpi", text: "import \"/etc/passwd\"\nk = 1\n"), schema: nil)
            Issue.record("the import was read")
        } catch {
            #expect(
                error.description
                    == "user.kpi:1:8: error: cannot import '/etc/passwd': imports are not allowed here (the host reads no files for formulas)\nimport \"/etc/passwd\"\n       ^~~~~~~~~~~~~")
        }
    }

    @Test func aHostResolverDecidesWhatAnImportReads() throws {
        let library = SourceText(name: "lib.kpi", text: "let two = 2\n")
        let program = try Kipi().compile(source: SourceText(name: "user.kpi", text: "import \"lib\"\nk = two * 3\n"), schema: nil) { path, _ in
            guard path == "lib" else { throw FunctionError("no such library") }
            return library
        }
        #expect(single(try program.evaluate(.empty), "k") == "6")
    }

    /// A file that is not Kipi shows its first offending line, and no more of its content.
    @Test func aFileThatIsNotKipiIsQuotedOneLineAtMost() throws {
        let root = try ImportTests().directory(["main.kpi": "import \"secret.txt\"\nk = 1\n", "secret.txt": "root:x:0:0:root\ndaemon:x:1:1\nbin:x:2:2\n"])
        let run = CapturedRun(["eval", "\(root)/main.kpi"])
        #expect(run.status == 1)
        #expect(!run.errors.contains("daemon"))
        #expect(!run.errors.contains("bin:x"))
        #expect(run.errors.contains("more errors in this file"))
    }
}
