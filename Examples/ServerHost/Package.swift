// swift-tools-version:6.0
// An example host: a server that lets its users type KPI formulas, embedding Kipi by path.
//   swift run --package-path Examples/ServerHost
import PackageDescription

let package = Package(
    name: "ServerHost",
    dependencies: [.package(name: "Kipi", path: "../..")],
    targets: [
        .executableTarget(name: "ServerHost", dependencies: [.product(name: "Kipi", package: "Kipi")])
    ],
    swiftLanguageModes: [.v6]
)
