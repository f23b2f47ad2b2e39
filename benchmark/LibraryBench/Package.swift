// swift-tools-version:6.0
// Kipi's in-process benchmark: the library's evaluation after loading, against native Swift
// loops in the same binary. Run by benchmark/run.py (release build); not part of the package.
import PackageDescription

let package = Package(
    name: "LibraryBench",
    dependencies: [.package(name: "Kipi", path: "../..")],
    targets: [
        .executableTarget(name: "LibraryBench", dependencies: [.product(name: "Kipi", package: "Kipi")])
    ],
    swiftLanguageModes: [.v6]
)
