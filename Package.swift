// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Kipi",
    products: [
        .library(name: "Kipi", targets: ["Kipi"]),
        .executable(name: "kipi", targets: ["KipiCLI"]),
    ],
    targets: [
        // The system's zlib, which every Swift on Linux has, inflates .xlsx workbooks.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "Kipi", dependencies: ["CZlib"]),
        .executableTarget(name: "KipiCLI", dependencies: ["Kipi"]),
        .testTarget(name: "KipiTests", dependencies: ["Kipi", "KipiCLI"]),
    ],
    swiftLanguageModes: [.v6]
)
