/// The candidate closest to a misspelled name, if one is close enough to be a likely typo: at
/// most a third of the longer name's letters (1 to 3) edited, ignoring case. Only candidates
/// `accepted` are suggested (asked of the few close enough in length).
func closestName(to name: String, among candidates: [String], where accepted: (String) -> Bool = { _ in true }) -> String? {
    // At most 3 edits are suggested, so a name that long is no misspelling of an identifier, and
    // comparing it would cost its length times every candidate's (a stranger's formula may try).
    guard name.utf8.count <= 256 else { return nil }
    let target = Array(name.lowercased().unicodeScalars)
    var best: (name: String, distance: Int)?
    for candidate in candidates {
        // The distance is at least the difference in length: most candidates end here, before
        // their letters are compared.
        let length = candidate.unicodeScalars.count
        let allowed = max(1, min(3, max(target.count, length) / 3))
        guard abs(target.count - length) <= allowed, accepted(candidate) else { continue }
        let bound = min(allowed, (best?.distance ?? Int.max) - 1)
        if let distance = editDistance(target, Array(candidate.lowercased().unicodeScalars), atMost: bound) {
            best = (candidate, distance)
        }
    }
    return best?.name
}

/// Levenshtein distance, counting a swap of two neighbours as one edit; nil when it is more than
/// `bound` (found as soon as a whole row of the table exceeds it).
func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], atMost bound: Int) -> Int? {
    guard bound >= 0 else { return nil }
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) <= bound ? max(a.count, b.count) : nil }
    var previousPrevious = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        var rowMinimum = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                current[j] = min(current[j], previousPrevious[j - 2] + 1)
            }
            rowMinimum = min(rowMinimum, current[j])
        }
        // A row's smallest entry never decreases further down (a swap reaches back two rows,
        // so the previous row's minimum bounds it too).
        if rowMinimum > bound, min(previous.min() ?? 0, rowMinimum) > bound { return nil }
        (previousPrevious, previous, current) = (previous, current, previousPrevious)
    }
    return previous[b.count] <= bound ? previous[b.count] : nil
}
