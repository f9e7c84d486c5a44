/// "Did you mean" for unknown task names: the registered names closest by
/// edit distance, as Celery-style names are often mistyped by a letter or a
/// separator.
enum NameSuggestions {
    /// Up to `limit` names within a distance that scales with the name's length.
    static func closest(to name: String, among candidates: [String], limit: Int = 3) -> [String] {
        let threshold = max(2, name.count / 3)
        let lowered = name.lowercased()
        var scored: [(name: String, score: Int)] = []
        for candidate in candidates {
            let d = distance(lowered, candidate.lowercased())
            if d <= threshold || candidate.lowercased().contains(lowered) {
                scored.append((candidate, d))
            }
        }
        scored.sort { a, b in a.score != b.score ? a.score < b.score : a.name < b.name }
        return scored.prefix(limit).map { $0.name }
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
