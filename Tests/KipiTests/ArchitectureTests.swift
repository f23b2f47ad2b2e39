import Foundation
import Testing

/// The library's folders are the stages of its pipeline, and they depend one way: no two folders
/// name each other's declarations (`Tests/Architecture/folder_graph.py` reads the sources).
struct ArchitectureTests {
    @Test func theFoldersDependOneWay() throws {
        let script = repositoryRoot.appendingPathComponent("Tests/Architecture/folder_graph.py").path
        let (status, text) = try runPython(script, [repositoryRoot.appendingPathComponent("Sources/Kipi").path])
        #expect(status == 0, "\(text)")
        #expect(text.contains("Model →") == false, "the model names no other folder:\n\(text)")
    }
}
