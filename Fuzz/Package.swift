// swift-tools-version:6.0
// Coverage-guided fuzzing of Kipi with libFuzzer; a package of its own, so that `swift build`
// and `swift test` of Kipi never build it. Build and run with `Fuzz/run.sh` (see README.md).
import PackageDescription

let package = Package(
    name: "KipiFuzz",
    dependencies: [.package(name: "Kipi", path: "..")],
    targets: [
        .executableTarget(name: "KipiFuzz", dependencies: [.product(name: "Kipi", package: "Kipi")])
    ],
    swiftLanguageModes: [.v6]
)
