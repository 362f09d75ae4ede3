import Foundation
import GRDB

/// The aggregate views of a batch, read from the store.
public struct BatchSummary: Sendable {
    public struct Count: Sendable { public var key: String; public var count: Int }

    /// A device model whose sessions fail on the client side more often than the others'.
    public struct DeviceSkew: Sendable {
        public var model: String
        public var sessions: Int
        public var clientFailures: Int
        public var rate: Double
        /// Client-failure rate of all other sessions.
        public var othersRate: Double
        /// One-sided two-proportion z-test: how unlikely the excess is by chance.
        public var z: Double
        public var p: Double
    }

    public var uploads: [Count] = []      // by status
    public var members: [Count] = []      // by status
    public var sessions = 0
    public var failingSessions = 0
    public var byCause: [Count] = []      // sessions by primary root cause
    public var bySeverity: [Count] = []   // sessions by severity
    public var bySignature: [Count] = []  // sessions with the signature
    public var byDay: [(day: String, sessions: Int, failing: Int)] = []
    public var devices: [DeviceSkew] = []
    /// Models with client failures but too few sessions to judge.
    public var devicesBelowSupport = 0
    public var minSupport = 0
    public var templates: [Count] = []    // recurring evidence lines, numbers folded
    public var failures: [(path: String, reason: String)] = []
}

extension Store {
    /// Counts, the device view (models over-represented among sessions with client-side
    /// findings, with a minimum support and a significance test) and recurring error lines.
    public func summary(minSupport: Int = 10, significance: Double = 0.05, topTemplates: Int = 10) throws -> BatchSummary {
        try pool.read { db in
            var s = BatchSummary()
            s.minSupport = minSupport
            func counts(_ sql: String) throws -> [BatchSummary.Count] {
                try Row.fetchAll(db, sql: sql).map { BatchSummary.Count(key: $0[0] ?? "none", count: $0[1]) }
            }
            s.uploads = try counts("SELECT status, COUNT(*) FROM upload GROUP BY status ORDER BY status")
            s.members = try counts("SELECT status, COUNT(*) FROM member GROUP BY status ORDER BY status")
            s.sessions = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM session") ?? 0
            s.failingSessions = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM session WHERE severity IS NOT NULL") ?? 0
            s.byCause = try counts("""
                SELECT COALESCE(root_cause, 'healthy'), COUNT(*) FROM session GROUP BY 1 ORDER BY 2 DESC, 1
                """)
            s.bySeverity = try counts("""
                SELECT COALESCE(severity, 'healthy'), COUNT(*) FROM session GROUP BY 1 ORDER BY 1
                """)
            s.bySignature = try counts("""
                SELECT signature, COUNT(DISTINCT session_id) FROM finding GROUP BY signature ORDER BY 2 DESC, 1
                """)
            s.byDay = try Row.fetchAll(db, sql: """
                SELECT substr(first_time, 1, 10) AS day, COUNT(*), SUM(severity IS NOT NULL) FROM session
                WHERE first_time IS NOT NULL GROUP BY day ORDER BY day
                """).map { (day: $0[0], sessions: $0[1], failing: $0[2]) }
            s.failures = try Row.fetchAll(db, sql: """
                SELECT u.path, COALESCE(m.reason, u.reason, '') FROM upload u LEFT JOIN member m ON m.upload_id = u.id
                WHERE u.status = 'failed' OR m.status = 'failed' ORDER BY u.id, m.id
                """).map { (path: $0[0], reason: $0[1]) }

            // Device view: client-side failure rate per model against all other sessions.
            let rows = try Row.fetchAll(db, sql: """
                SELECT COALESCE(manufacturer || ' ' || model, model) AS device, COUNT(*),
                       SUM(id IN (SELECT session_id FROM finding WHERE cause = 'client'))
                FROM session WHERE model IS NOT NULL GROUP BY device
                """)
            let total = rows.reduce(0) { $0 + ($1[1] as Int) }
            let totalFailures = rows.reduce(0) { $0 + ($1[2] as Int) }
            for row in rows {
                let model: String = row[0], n: Int = row[1], k: Int = row[2]
                guard k > 0 else { continue }
                guard n >= minSupport, total - n > 0 else { s.devicesBelowSupport += 1; continue }
                let rate = Double(k) / Double(n)
                let others = Double(totalFailures - k) / Double(total - n)
                let pooled = Double(totalFailures) / Double(total)
                let se = (pooled * (1 - pooled) * (1 / Double(n) + 1 / Double(total - n))).squareRoot()
                guard se > 0 else { continue }
                let z = (rate - others) / se
                let p = 0.5 * erfc(z / 2.0.squareRoot())
                if z > 0, p < significance {
                    s.devices.append(.init(model: model, sessions: n, clientFailures: k, rate: rate, othersRate: others, z: z, p: p))
                }
            }
            s.devices.sort { $0.z > $1.z }

            // Recurring evidence lines: digits and hex runs folded, so one message counts once.
            var templates: [String: Int] = [:]
            let cursor = try String.fetchCursor(db, sql: "SELECT text FROM evidence")
            while let text = try cursor.next() {
                templates[Self.template(text), default: 0] += 1
            }
            s.templates = templates.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .prefix(topTemplates).map { BatchSummary.Count(key: $0.key, count: $0.value) }
            return s
        }
    }

    /// A log line as a template: the clock stamp dropped, runs of digits (and hex ids) as `#`.
    static func template(_ line: String) -> String {
        var out = ""
        var inNumber = false
        for ch in line.unicodeScalars {
            let isDigit = ch.properties.numericType != nil && ch.isASCII
            if isDigit || (inNumber && (ch == "." || ch == ":" || ("a"..."f").contains(ch) || ch == "x")) {
                if !inNumber { out += "#"; inNumber = true }
            } else {
                inNumber = false
                out.unicodeScalars.append(ch)
            }
        }
        // The stamp and ids at the start of the line are all `#`, `-`, `/`, `:` and spaces now.
        let body = out.drop { "# -/:.[],".unicodeScalars.contains($0.unicodeScalars.first!) }
        return String(body.prefix(160))
    }
}
