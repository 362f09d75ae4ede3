import RTCDiagAnalyzers
import RTCDiagFormats
import Yams

/// A signature written as data: match conditions on level / tag / message and a numeric field,
/// a count within a window, and the verdict it implies.
///
/// ```yaml
/// version: 1
/// rules:
///   - id: cpu_overload
///     name: CPU overload / thermal throttling
///     summary: The device throttles or the encoder is CPU-limited.
///     cause: client            # client | link | server
///     severity: P2             # P0 … P3
///     remediation: Lower the resolution or frame rate on this device.
///     match:
///       message: [THERMAL_STATUS_SEVERE, THERMAL_STATUS_CRITICAL]   # any of these (case-insensitive)
///       tag: PowerManager        # optional, substring of the tag
///       level: warning           # optional, at least this level
///       regex: 'status=(3|4|5)'  # optional, on the message of lines the literals selected
///       field: { name: cpu, above: 90 }   # optional, `cpu=95` / `cpu: 95` in the message
///     count: 1                   # at least this many matching lines …
///     within: 60                 # … within this many seconds (optional)
///     examples:
///       trigger: ["11-23 10:15:00.000  1  2 W PowerManager: thermal THERMAL_STATUS_SEVERE"]
///       ignore: ["11-23 10:15:00.000  1  2 I PowerManager: thermal THERMAL_STATUS_NONE"]
/// ```
public struct RuleSpec: Sendable {
    public var id: String
    public var name: String
    public var summary: String
    public var cause: RootCause
    public var severity: Severity
    public var remediation: String
    public var messageLiterals: [String]
    public var tag: String?
    public var minLevel: Level?
    public var regex: String?
    public var field: (name: String, above: Double?, below: Double?)?
    public var count: Int
    public var withinSeconds: Double?
    public var triggerExamples: [String]
    public var ignoreExamples: [String]
    /// Where the rule starts in its pack, for messages.
    public var file: String
    public var line: Int
}

/// A problem in a rule pack, with its position: `file:line:column: error: message`.
public struct RulePackError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "\(file):\(line):\(column): error: \(message)" }
}

/// Reads rule packs with Yams, keeping line numbers for every error.
public enum RulePackParser {
    /// Longest `message` literal: literals are keywords of the prefilter, which marks spans of
    /// at most 64 KiB; no log message needs a literal near that.
    public static let maxLiteralBytes = 4096

    /// Parses and validates a whole pack; the first problem is thrown.
    public static func parse(_ yaml: String, file: String) throws -> [RuleSpec] {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw RulePackError(file: file, line: 1, column: 1, message: "the pack is empty")
            }
            root = node
        } catch let e as YamlError {
            throw RulePackError(file: file, line: e.mark?.line ?? 1, column: e.mark?.column ?? 1, message: "YAML: \(e.problem)")
        }
        func fail(_ node: Node?, _ message: String) -> RulePackError {
            RulePackError(file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message: message)
        }
        guard let top = root.mapping else { throw fail(root, "the pack must be a mapping with `version` and `rules`") }
        guard top["version"]?.int == 1 else { throw fail(top["version"] ?? root, "`version: 1` is required") }
        guard let rules = top["rules"]?.sequence else { throw fail(top["rules"] ?? root, "`rules` must be a list") }
        var specs: [RuleSpec] = []
        var seen = Set<String>()
        for node in rules {
            guard let r = node.mapping else { throw fail(node, "each rule must be a mapping") }
            let known: Set<String> = ["id", "name", "summary", "cause", "severity", "remediation", "match", "count", "within", "examples"]
            for (k, _) in r where !known.contains(k.string ?? "") {
                throw fail(k, "unknown key `\(k.string ?? "?")` (known: \(known.sorted().joined(separator: ", ")))")
            }
            func text(_ key: String, required: Bool = true) throws -> String? {
                guard let v = r[key] else {
                    if required { throw fail(node, "rule is missing `\(key)`") }
                    return nil
                }
                guard let s = v.scalar?.string, !s.isEmpty else { throw fail(v, "`\(key)` must be a non-empty string") }
                return s
            }
            let id = try text("id")!
            guard id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), id.first?.isLetter == true else {
                throw fail(r["id"], "`id` must be letters, digits and underscores, starting with a letter")
            }
            guard seen.insert(id).inserted else { throw fail(r["id"], "duplicate rule id `\(id)`") }
            guard let cause = RootCause(rawValue: try text("cause")!) else { throw fail(r["cause"], "`cause` must be client, link or server") }
            guard let severity = Severity(label: try text("severity")!) else { throw fail(r["severity"], "`severity` must be P0, P1, P2 or P3") }
            guard let match = r["match"]?.mapping else { throw fail(r["match"] ?? node, "rule needs a `match` mapping") }
            let matchKeys: Set<String> = ["message", "tag", "level", "regex", "field"]
            for (k, _) in match where !matchKeys.contains(k.string ?? "") {
                throw fail(k, "unknown match key `\(k.string ?? "?")` (known: \(matchKeys.sorted().joined(separator: ", ")))")
            }
            var literals: [String] = []
            if let m = match["message"] {
                let nodes = m.scalar != nil ? [m] : m.sequence.map(Array.init)
                guard let nodes else { throw fail(m, "`message` must be a string or a list of strings") }
                literals = try nodes.map { n in
                    guard let s = n.scalar?.string, !s.isEmpty else { throw fail(n, "`message` entries must be non-empty strings") }
                    guard s.utf8.count <= maxLiteralBytes else { throw fail(n, "a `message` literal is at most \(maxLiteralBytes) bytes") }
                    return s
                }
            }
            let tag = match["tag"]?.scalar?.string
            guard !literals.isEmpty || tag != nil else {
                throw fail(r["match"], "`match` needs `message` literals or a `tag`: they select the lines the rest is checked on")
            }
            var minLevel: Level?
            if let l = match["level"] {
                guard let level = Level.fromWord(l.scalar?.string ?? "") else { throw fail(l, "unknown level `\(l.scalar?.string ?? "?")`") }
                minLevel = level
            }
            var regex: String?
            if let re = match["regex"] {
                guard let pattern = re.scalar?.string else { throw fail(re, "`regex` must be a string") }
                if let problem = RegexGuard.problem(in: pattern) { throw fail(re, problem) }
                regex = pattern
            }
            var field: (name: String, above: Double?, below: Double?)?
            if let f = match["field"] {
                guard let fm = f.mapping, let name = fm["name"]?.scalar?.string else { throw fail(f, "`field` needs `name` and `above` or `below`") }
                let above = fm["above"]?.float, below = fm["below"]?.float
                guard above != nil || below != nil else { throw fail(f, "`field` needs `above` or `below` (a number)") }
                field = (name, above, below)
            }
            var count = 1
            if let c = r["count"] {
                guard let n = c.int, n >= 1, n <= 10_000 else { throw fail(c, "`count` must be a whole number from 1 to 10000") }
                count = n
            }
            var within: Double?
            if let w = r["within"] {
                guard let s = w.float, s > 0 else { throw fail(w, "`within` must be a number of seconds above 0") }
                within = s
            }
            var trigger: [String] = [], ignore: [String] = []
            if let ex = r["examples"]?.mapping {
                trigger = ex["trigger"]?.sequence?.compactMap { $0.scalar?.string } ?? []
                ignore = ex["ignore"]?.sequence?.compactMap { $0.scalar?.string } ?? []
            }
            specs.append(RuleSpec(
                id: id, name: try text("name")!, summary: try text("summary", required: false) ?? "",
                cause: cause, severity: severity, remediation: try text("remediation")!,
                messageLiterals: literals, tag: tag, minLevel: minLevel, regex: regex, field: field, count: count,
                withinSeconds: within, triggerExamples: trigger, ignoreExamples: ignore, file: file,
                line: node.mark?.line ?? 1))
        }
        return specs
    }
}

extension YamlError {
    var mark: Mark? {
        switch self {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _): mark
        default: nil
        }
    }

    var problem: String {
        switch self {
        case let .scanner(_, problem, _, _), let .parser(_, problem, _, _), let .composer(_, problem, _, _): problem
        default: "\(self)"
        }
    }
}

/// Refuses regular expressions that can backtrack catastrophically: a quantified group that
/// itself contains a quantifier (`(a+)+`, `(x*y*)*`, `(\w+\s?)+$`). Matching also only ever sees
/// the first 4 KiB of a message, so a pattern that slips through still ends quickly.
public enum RegexGuard {
    public static let maxInput = 4096

    public static func problem(in pattern: String) -> String? {
        do { _ = try Regex(pattern) } catch { return "`regex` does not compile: \(error)" }
        var stack: [Bool] = []  // per open group: does it contain a quantifier?
        var escaped = false, inClass = false
        let chars = Array(pattern)
        for (i, ch) in chars.enumerated() {
            if escaped { escaped = false; continue }
            if ch == "\\" { escaped = true; continue }
            if inClass { if ch == "]" { inClass = false }; continue }
            switch ch {
            case "[": inClass = true
            case "(": stack.append(false)
            case ")":
                let inner = stack.popLast() ?? false
                let next = i + 1 < chars.count ? chars[i + 1] : " "
                if inner && (next == "+" || next == "*" || next == "{") {
                    return "`regex` nests quantifiers (a repeated group that repeats inside), which can take exponential time; rewrite it without the nesting"
                }
                if inner, !stack.isEmpty { stack[stack.count - 1] = true }
            case "+", "*", "?", "{":
                if !stack.isEmpty { stack[stack.count - 1] = true }
            default: break
            }
        }
        return nil
    }
}
