import Foundation
import GRDB
import RTCDiagKit
@testable import RTCDiagStore
import Testing

/// The corpus logs (not their label sidecars).
func corpusLogs() throws -> [URL] {
    let dir = packageRoot.appendingPathComponent("Samples/corpus")
    return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasSuffix(".json") }.sorted()
        .map { dir.appendingPathComponent($0) }
}

/// Every table of a store as text, ids included, without the wall-clock column.
func dump(_ db: String) throws -> String {
    let store = try Store(path: db)
    var out = ""
    for sql in ["SELECT id, content_hash, path, bytes, status, reason FROM upload ORDER BY id",
                "SELECT * FROM member ORDER BY id", "SELECT * FROM session ORDER BY id",
                "SELECT * FROM finding ORDER BY id", "SELECT * FROM evidence ORDER BY finding_id, n"] {
        let r = try store.query(sql)
        out += r.rows.map { $0.map { $0 ?? "NULL" }.joined(separator: "\t") }.joined(separator: "\n") + "\n--\n"
    }
    return out
}

/// A scratch directory holding an empty `uploads` folder.
func scratchUploads() throws -> (dir: URL, uploads: URL) {
    let dir = try scratchDirectory()
    let uploads = dir.appendingPathComponent("uploads")
    try FileManager.default.createDirectory(at: uploads, withIntermediateDirectories: true)
    return (dir, uploads)
}

func count(_ db: String, _ sql: String) throws -> Int {
    Int(try Store(path: db).query(sql).rows.first?.first??.description ?? "") ?? -1
}

@Suite("Batch store", .serialized)
struct BatchTests {
    @Test("batch over an archive of the corpus finds what diagnose finds; a re-run skips it; report and query read it")
    func archiveOfCorpus() throws {
        let dir = try scratchDirectory()
        let logs = try corpusLogs()
        let zip = dir.appendingPathComponent("corpus.zip")
        try writeArchive(zip, format: "zip", entries: try logs.map { ("corpus/\($0.lastPathComponent)", try Data(contentsOf: $0)) })
        let db = dir.appendingPathComponent("store.sqlite").path
        let first = try run(["batch", zip.path, "--db", db, "--jobs", "2"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try count(db, "SELECT COUNT(*) FROM member WHERE status = 'analyzed'") == logs.count)

        // The same signatures per call as diagnose prints for the same files.
        let diagnose = try run(["diagnose", "--format", "json"] + logs.map(\.path))
        var expected: [String: Int] = [:]
        for d in try diagnoses(diagnose.stdout) { for s in Set(signatures(d)) { expected[s, default: 0] += 1 } }
        let stored = try Store(path: db).query("SELECT signature, COUNT(DISTINCT session_id) FROM finding GROUP BY signature")
        let got = Dictionary(uniqueKeysWithValues: stored.rows.map { ($0[0]!, Int($0[1]!)!) })
        #expect(got == expected)
        #expect(try count(db, "SELECT COUNT(*) FROM session") == (try diagnoses(diagnose.stdout)).count)
        // Column by column, the store holds what diagnose printed (the rows are packed on the
        // worker and bound from one buffer: a value out of step shows here).
        func text(_ v: Any?) -> String { v.map { $0 is NSNull ? "NULL" : "\($0)" } ?? "NULL" }
        var printed: [String] = [], kept: [String] = []
        for d in try diagnoses(diagnose.stdout) {
            let s = d["session"] as? [String: Any] ?? [:], device = d["device"] as? [String: Any] ?? [:]
            printed.append(["channel", "uid", "sdk_version", "edge", "network"].map { text(s[$0]) }.joined(separator: "|")
                           + "|" + ["manufacturer", "model", "os"].map { text(device[$0]) }.joined(separator: "|")
                           + "|" + text(d["severity"]) + "|" + text(d["root_cause"]) + "|" + text(d["first_time"]))
            for f in d["findings"] as? [[String: Any]] ?? [] {
                let lines = (f["evidence"] as? [[String: Any]] ?? []).map { "\(text($0["line"])) \(text($0["time"])) \(text($0["text"]))" }
                printed.append(["signature", "subkind", "severity", "detail", "evidence_count"].map { text(f[$0]) }.joined(separator: "|")
                               + "|" + lines.joined(separator: "\n"))
            }
        }
        let store = try Store(path: db)
        for row in try store.query("""
            SELECT channel, uid, sdk_version, edge, network, manufacturer, model, os, severity, root_cause, first_time FROM session
            """).rows { kept.append(row.map { $0 ?? "NULL" }.joined(separator: "|")) }
        for row in try store.query("""
            SELECT signature, subkind, severity, detail, evidence_count,
                   (SELECT group_concat(line || ' ' || ifnull(time, 'NULL') || ' ' || text, char(10)) FROM evidence WHERE finding_id = f.id)
            FROM finding f
            """).rows { kept.append(row.map { $0 ?? "NULL" }.joined(separator: "|")) }
        #expect(kept.sorted() == printed.sorted(),
                "store only: \(Set(kept).subtracting(printed).sorted().prefix(3)); printed only: \(Set(printed).subtracting(kept).sorted().prefix(3))")

        let again = try run(["batch", zip.path, "--db", db])
        #expect(again.stdout.contains("0 upload(s) analyzed, 1 already in the store"))
        #expect(try count(db, "SELECT COUNT(*) FROM upload") == 1)

        let report = try run(["report", "--db", db, "--min-support", "3"])
        #expect(report.status == 0)
        #expect(report.stdout.contains("- Files in them: \(logs.count) analyzed"))
        for (signature, n) in expected { #expect(report.stdout.contains("| \(signature.replacingOccurrences(of: "_", with: "\\_")) | \(n) |")) }
        let query = try run(["query", "--db", db, "SELECT COUNT(*) AS n FROM finding_view WHERE severity = 'P0'"])
        #expect(query.stdout.hasPrefix("n\n"))
        let write = try run(["query", "--db", db, "DELETE FROM upload"])
        #expect(write.status == 2 && write.stderr.contains("read-only"))
    }

    @Test("report names the device model whose calls fail on the client side more often than the others'")
    func deviceOverRepresented() throws {
        let (dir, uploads) = try scratchUploads()
        // 12 calls on a Samsung with the sample's client-side echo failure; 24 quiet calls on a Pixel.
        let failing = try sampleData("android-call.log")
        let device = String(decoding: failing, as: UTF8.self).split(separator: "\n").first { $0.contains("Manufacturer:") }!
        let pixel = device.replacingOccurrences(of: "Manufacturer: samsung, Model: SM-A515F", with: "Manufacturer: Google, Model: Pixel 6")
        // (The Pixel's files come first, so session ids and finding ids do not line up.)
        for i in 0..<24 { try Data("\(pixel)\ntail \(i)\n".utf8).write(to: uploads.appendingPathComponent("a\(i).log")) }
        for i in 0..<12 { try (failing + Data("tail \(i)\n".utf8)).write(to: uploads.appendingPathComponent("b\(i).log")) }
        let db = dir.appendingPathComponent("store.sqlite").path
        #expect(try run(["batch", uploads.path, "--db", db]).status == 0)
        #expect(try count(db, "SELECT COUNT(*) FROM session WHERE model = 'Pixel 6' AND severity IS NULL") == 24)
        let summary = try Store(path: db, readOnly: true).summary(minSupport: 10)
        let top = try #require(summary.devices.first)
        #expect(summary.devices.count == 1)
        #expect(top.model == "samsung SM-A515F" && top.sessions == 12 && top.clientFailures == 12)
        #expect(top.rate == 1 && top.othersRate == 0 && top.p < 0.05)
    }

    @Test("a batch killed midway and run again leaves the same store as one uninterrupted run")
    func killAndResume() throws {
        let (dir, uploads) = try scratchUploads()
        // 456 distinct uploads: the plain corpus logs, twelve times, each copy with its own last line.
        let plain = try corpusLogs().filter { $0.pathExtension == "log" }
        for copy in 0..<12 {
            for log in plain {
                let text = try Data(contentsOf: log) + Data("\n# copy \(copy)\n".utf8)
                try text.write(to: uploads.appendingPathComponent("\(copy)-\(log.lastPathComponent)"))
            }
        }
        let whole = dir.appendingPathComponent("whole.sqlite").path
        #expect(try run(["batch", uploads.path, "--db", whole, "--jobs", "2"]).status == 0)

        let resumed = dir.appendingPathComponent("resumed.sqlite").path
        let p = Process()
        p.executableURL = binary
        p.arguments = ["batch", uploads.path, "--db", resumed, "--jobs", "2"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Kill -9 as soon as some uploads are in: the transaction of the one being written is lost.
        var seen = 0
        var config = Configuration()
        config.readonly = true
        for _ in 0..<20_000 {
            if FileManager.default.fileExists(atPath: resumed),
               let reader = try? DatabaseQueue(path: resumed, configuration: config),
               let n = try? reader.read({ try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM upload") }) ?? 0, n >= 20 {
                seen = n
                break
            }
            usleep(1000)
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let total = try count(whole, "SELECT COUNT(*) FROM upload")
        #expect(seen >= 20 && seen < total, "killed after \(seen) of \(total)")
        #expect(try run(["batch", uploads.path, "--db", resumed, "--jobs", "2"]).status == 0)
        #expect(try dump(resumed) == (try dump(whole)))
    }

    @Test("in a directory, each file is an upload and each subdirectory one upload with all its files")
    func directoryUploads() throws {
        let dir = try scratchDirectory()
        let uploads = dir.appendingPathComponent("uploads")
        let ticket = uploads.appendingPathComponent("ticket-1")
        try FileManager.default.createDirectory(at: ticket, withIntermediateDirectories: true)
        try sampleData("android-call.log").write(to: ticket.appendingPathComponent("sdk.log"))
        try sampleData("mic-busy.time.log.zst").write(to: ticket.appendingPathComponent("mic.log.zst"))
        try sampleData("token-expired.ios.log").write(to: uploads.appendingPathComponent("token-expired.ios.log"))
        let db = dir.appendingPathComponent("store.sqlite").path
        #expect(try run(["batch", uploads.path, "--db", db]).status == 0)
        let sql = "SELECT u.path, m.name, m.status FROM member m JOIN upload u ON u.id = m.upload_id ORDER BY m.id"
        let rows = try Store(path: db).query(sql).rows.map { $0.map { $0 ?? "" }.joined(separator: " ") }
        #expect(rows == ["\(ticket.path) mic.log.zst analyzed", "\(ticket.path) sdk.log analyzed",
                         "\(uploads.path)/token-expired.ios.log token-expired.ios.log analyzed"])
        // A file added to the ticket makes it a new upload; the untouched one is skipped.
        try sampleData("two-calls.log.gz").write(to: ticket.appendingPathComponent("logcat.txt.gz"))
        let again = try run(["batch", uploads.path, "--db", db])
        #expect(again.stdout.hasPrefix("1 upload(s) analyzed, 1 already in the store"))
    }

    @Test("two copies of one upload in a run: the first is read, the second counted as stored; an unreadable file is listed as failed")
    func duplicatesAndUnreadable() throws {
        let (dir, uploads) = try scratchUploads()
        for name in ["a.log", "b.log", "c.log"] {
            try sampleData("android-call.log").write(to: uploads.appendingPathComponent(name))
        }
        // A link whose target is gone: listed, but cannot be opened (even by root).
        let gone = uploads.appendingPathComponent("d.log")
        try FileManager.default.createSymbolicLink(atPath: gone.path, withDestinationPath: dir.appendingPathComponent("missing").path)
        let db = dir.appendingPathComponent("store.sqlite").path
        let r = try run(["batch", uploads.path, "--db", db, "--jobs", "2"])
        #expect(r.status == 3)
        #expect(r.stdout.hasPrefix("1 upload(s) analyzed, 2 already in the store, 1 with unreadable parts"), "\(r.stdout)")
        #expect(try count(db, "SELECT COUNT(*) FROM upload WHERE status = 'failed' AND content_hash = 'unreadable:\(gone.path)'") == 1)
        // The next run skips the copies and the unreadable file alike.
        #expect(try run(["batch", uploads.path, "--db", db]).stdout.hasPrefix("0 upload(s) analyzed, 4 already in the store"))
        let paths = try Store(path: db).query("SELECT path FROM upload WHERE status = 'analyzed' ORDER BY id").rows.map { $0[0] ?? "" }
        #expect(paths.first == uploads.appendingPathComponent("a.log").path)
    }

    @Test("rotated logs of one upload are read as one log, oldest first; evidence names each file and line")
    func rotatedLogs() throws {
        let dir = try scratchDirectory()
        let ticket = dir.appendingPathComponent("uploads/ticket-7")
        try FileManager.default.createDirectory(at: ticket, withIntermediateDirectories: true)
        let lines = try String(contentsOf: packageRoot.appendingPathComponent("Samples/logs/android-call.log"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        // The call's first 15 lines were rotated into sdk.log.1 (no final newline); the rest is in sdk.log.
        try Data(lines[..<15].joined(separator: "\n").utf8).write(to: ticket.appendingPathComponent("sdk.log.1"))
        try Data(lines[15...].joined(separator: "\n").utf8).write(to: ticket.appendingPathComponent("sdk.log"))
        let db = dir.appendingPathComponent("store.sqlite").path
        #expect(try run(["batch", dir.appendingPathComponent("uploads").path, "--db", db]).status == 0)
        let store = try Store(path: db)
        #expect(try store.query("SELECT name, calls FROM member").rows == [["sdk.log.1 + sdk.log", "1"]])
        #expect(try store.query("SELECT signature FROM finding").rows == [["aec_failure"]])
        let evidence = try store.query("SELECT source, line FROM evidence ORDER BY finding_id, n").rows.map { row in
            "\((row[0]! as NSString).lastPathComponent):\(row[1]!)"
        }
        // Lines 7 and 8 of the whole call sit in sdk.log.1; lines 19, 21 and 24 are lines 4, 6, 9 of sdk.log.
        #expect(evidence == ["sdk.log.1:7", "sdk.log.1:8", "sdk.log:4", "sdk.log:6", "sdk.log:9"])
    }

    @Test("rotated logs inside a zip or a tar.gz are read as one log, oldest first, next to the other members")
    func rotatedLogsInArchives() throws {
        let dir = try scratchDirectory()
        let lines = try String(contentsOf: packageRoot.appendingPathComponent("Samples/logs/android-call.log"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        let older = dir.appendingPathComponent("older.log")
        try Data(lines[..<15].joined(separator: "\n").utf8).write(to: older)
        _ = try shell("gzip -c '\(older.path)' > '\(older.path).gz'")
        // Stored newest first, as archivers list them; the older part is gzip-compressed.
        let entries = [("logs/sdk.log", Data(lines[15...].joined(separator: "\n").utf8)),
                       ("logs/sdk.log.1.gz", try Data(contentsOf: URL(fileURLWithPath: older.path + ".gz"))),
                       ("logs/token.log", try sampleData("token-expired.ios.log"))]
        for (format, filter, file) in [("zip", nil, "upload.zip"), ("ustar", "gzip", "upload.tgz")] {
            let archive = dir.appendingPathComponent(file)
            try writeArchive(archive, format: format, filter: filter, entries: entries)
            let db = dir.appendingPathComponent("\(file).sqlite").path
            #expect(try run(["batch", archive.path, "--db", db]).status == 0)
            let store = try Store(path: db)
            #expect(try store.query("SELECT name, calls FROM member ORDER BY id").rows
                    == [["logs/token.log", "1"], ["logs/sdk.log.1.gz + logs/sdk.log", "1"]])
            let evidence = try store.query("""
                SELECT source, line FROM evidence JOIN finding f ON f.id = finding_id WHERE f.signature = 'aec_failure' ORDER BY finding_id, n
                """).rows.map { "\($0[0]!):\($0[1]!)" }
            #expect(evidence == ["\(archive.path):logs/sdk.log.1.gz:7", "\(archive.path):logs/sdk.log.1.gz:8",
                                 "\(archive.path):logs/sdk.log:4", "\(archive.path):logs/sdk.log:6", "\(archive.path):logs/sdk.log:9"])
        }
    }

    @Test("a store that cannot grow (full disk, file size limit): exit 3, a clear message, the stored uploads whole; a re-run completes it")
    func storeCannotGrow() throws {
        let (dir, uploads) = try scratchUploads()
        let call = try sampleData("android-call.log")
        for i in 0..<12 { try (call + Data("tail \(i)\n".utf8)).write(to: uploads.appendingPathComponent("u\(i).log")) }
        let db = dir.appendingPathComponent("store.sqlite").path
        // Writes past 300 KiB fail with EFBIG (SIGXFSZ ignored), as writes to a full disk fail.
        let out = (try? shell("""
            trap '' XFSZ; ulimit -f 600; '\(binary.path)' batch '\(uploads.path)' --db '\(db)' --jobs 2 2>&1; echo "exit=$?"
            """)) ?? ""
        #expect(out.contains("exit=3"), "\(out)")
        #expect(out.contains("cannot write the store") && out.contains("run the batch again"), "\(out)")
        let stored = try count(db, "SELECT COUNT(*) FROM upload")
        #expect(stored > 0 && stored < 12, "\(stored) stored")
        #expect(try Store(path: db).query("PRAGMA integrity_check").rows == [["ok"]])
        // Every stored upload is whole: each has its member and its call.
        #expect(try count(db, "SELECT COUNT(*) FROM member") == stored)
        #expect(try count(db, "SELECT COUNT(*) FROM session") == stored)
        #expect(try run(["batch", uploads.path, "--db", db]).status == 0)
        let whole = dir.appendingPathComponent("whole.sqlite").path
        #expect(try run(["batch", uploads.path, "--db", whole]).status == 0)
        #expect(try dump(db) == (try dump(whole)))
    }

    @Test("a store of schema v1 (evidence rows) is migrated, even by report: each finding holds its lines, the evidence view lists them in order")
    func migratesEvidenceRows() throws {
        let dir = try scratchDirectory()
        let db = dir.appendingPathComponent("old.sqlite").path
        let queue = try DatabaseQueue(path: db)
        try Store.migrator.migrate(queue, upTo: "v1")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO upload (id, content_hash, path, bytes, status, analyzed_at) VALUES (1, 'h', 'u.zip', 10, 'analyzed', 'now');
                INSERT INTO member (id, upload_id, name, status) VALUES (1, 1, 'sdk.log', 'analyzed');
                INSERT INTO session (id, member_id, idx) VALUES (1, 1, 0);
                INSERT INTO finding (id, session_id, signature, cause, severity, confidence, detail, evidence_count)
                    VALUES (1, 1, 'aec_failure', 'client', 'P1', 0.8, 'echo', 2), (2, 1, 'packet_loss', 'link', 'P2', 0.7, 'loss', 0);
                INSERT INTO evidence (finding_id, source, line, time, text) VALUES
                    (1, 'u.zip:sdk.log', 7, '2026-11-23 10:15:00.513', 'E WebRtcAudioRecord: "no AEC" <b>'),
                    (1, 'u.zip:sdk.log', 19, NULL, 'W RtcClient: warn=1053');
                """)
        }
        // Opened for reading (as `report` does), an older store of ours is upgraded once.
        let store = try Store(path: db, readOnly: true)
        let rows = try store.query("SELECT finding_id, n, source, line, time, text FROM evidence ORDER BY finding_id, n").rows
        #expect(rows == [["1", "0", "u.zip:sdk.log", "7", "2026-11-23 10:15:00.513", "E WebRtcAudioRecord: \"no AEC\" <b>"],
                         ["1", "1", "u.zip:sdk.log", "19", nil, "W RtcClient: warn=1053"]])
        #expect(try store.query("SELECT evidence FROM finding WHERE id = 2").rows == [["[]"]])
    }

    @Test("a store from a newer rtcdiag is refused with a clear message")
    func newerSchema() throws {
        let dir = try scratchDirectory()
        let db = dir.appendingPathComponent("store.sqlite").path
        #expect(try run(["batch", packageRoot.appendingPathComponent("Samples/logs/two-calls.log.gz").path, "--db", db]).status == 0)
        let queue = try DatabaseQueue(path: db)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
        let r = try run(["report", "--db", db])
        #expect(r.status == 3 && r.stderr.contains("newer rtcdiag"))
    }
}

@Suite("Batch store: a store in use")
struct LockedStoreTests {
    @Test("a store another process is writing: batch waits, then stops with a clear message and exit 3")
    func locked() throws {
        let dir = try scratchDirectory()
        let db = dir.appendingPathComponent("store.sqlite").path
        let log = packageRoot.appendingPathComponent("Samples/logs/two-calls.log.gz").path
        #expect(try run(["batch", log, "--db", db]).status == 0)
        let other = try DatabaseQueue(path: db)
        try other.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            defer { try? db.execute(sql: "ROLLBACK") }
            let r = try run(["batch", packageRoot.appendingPathComponent("Samples/logs/android-call.log").path,
                             "--db", dir.appendingPathComponent("store.sqlite").path, "--busy-timeout", "0.3"])
            #expect(r.status == 3)
            #expect(r.stderr.contains("locked by another process"), "\(r.stderr)")
        }
        #expect(try count(db, "SELECT COUNT(*) FROM upload") == 1)
    }
}

@Suite("Batch store: reading leaves files alone")
struct ReadOnlyStoreTests {
    @Test("report and query on an SQLite file that is not a store refuse it and change nothing")
    func foreignDatabase() throws {
        let dir = try scratchDirectory()
        let path = dir.appendingPathComponent("app.sqlite").path
        let app = try DatabaseQueue(path: path)
        try app.write { try $0.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)") }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let report = try run(["report", "--db", path])
        #expect(report.status == 3 && report.stderr.contains("not a store written by rtcdiag batch"))
        let query = try run(["query", "--db", path, "SELECT 1"])
        #expect(query.status == 2 && query.stderr.contains("not a store"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try app.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") } == ["notes"])
    }
}
