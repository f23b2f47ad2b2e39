// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Kipi",
    products: [
        .library(name: "Kipi", targets: ["Kipi"]),
        .executable(name: "kipi", targets: ["KipiCLI"]),
    ],
    targets: [
        .target(name: "Kipi"),
        .executableTarget(name: "KipiCLI", dependencies: ["Kipi"]),
        .testTarget(name: "KipiTests", dependencies: ["Kipi", "KipiCLI"]),
    ],
    swiftLanguageModes: [.v6]
)
