import Foundation

/// How many cores this process may run on: those its CPU affinity allows (`taskset`, a
/// container's cpuset), which may be fewer than the machine has.
enum Cores {
    static let available: Int = {
        let machine = max(1, ProcessInfo.processInfo.activeProcessorCount)
        // Linux says which cores are allowed as a hexadecimal mask: "Cpus_allowed:\t3".
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") })
        else { return machine }
        let allowed = line.dropFirst("Cpus_allowed:".count).reduce(0) { count, digit in count + (digit.hexDigitValue ?? 0).nonzeroBitCount }
        return allowed > 0 ? min(allowed, machine) : machine
    }()
}
