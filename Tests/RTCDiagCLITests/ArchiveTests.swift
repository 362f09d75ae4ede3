import CArchive
import Foundation
import Testing

/// Writes an archive with libarchive: `format` "zip" or "tar", optionally compressed.
func writeArchive(_ url: URL, format: String, filter: String? = nil, entries: [(name: String, data: Data)]) throws {
    let a = try #require(archive_write_new())
    defer { archive_write_free(a) }
    if format == "zip" { archive_write_set_format_zip(a) } else { archive_write_set_format_pax_restricted(a) }
    if filter == "gzip" { archive_write_add_filter_gzip(a) }
    if filter == "zstd" { archive_write_add_filter_zstd(a) }
    try #require(archive_write_open_filename(a, url.path) == ARCHIVE_OK)
    for e in entries {
        let entry = try #require(archive_entry_new())
        archive_entry_set_pathname(entry, e.name)
        archive_entry_set_size(entry, Int64(e.data.count))
        archive_entry_set_filetype(entry, 0o100000)
        archive_entry_set_perm(entry, 0o644)
        try #require(archive_write_header(a, entry) == ARCHIVE_OK)
        e.data.withUnsafeBytes { _ = archive_write_data(a, $0.baseAddress, $0.count) }
        archive_entry_free(entry)
    }
    try #require(archive_write_close(a) == ARCHIVE_OK)
}

func sampleData(_ name: String) throws -> Data {
    try Data(contentsOf: packageRoot.appendingPathComponent("Samples/logs/\(name)"))
}

func diagnoses(_ stdout: String) throws -> [[String: Any]] {
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
    return try #require(obj["diagnoses"] as? [[String: Any]])
}

func signatures(_ d: [String: Any]) -> [String] {
    ((d["findings"] as? [[String: Any]]) ?? []).compactMap { $0["signature"] as? String }
}

@Suite("Archives", .serialized)
struct ArchiveTests {
    @Test("a zip upload: each member is diagnosed as it is stored (a .zst and an .lz4 inside), named by archive and member")
    func zipUpload() throws {
        let dir = try scratchDirectory()
        let zip = dir.appendingPathComponent("upload.zip")
        try writeArchive(zip, format: "zip", entries: [
            ("logs/android-call.log.zst", try sampleData("android-call.log.zst")),
            ("logs/ice-failed.chromium.log.lz4", try sampleData("ice-failed.chromium.log.lz4")),
            ("../../outside/mic-permission.ios.log", try sampleData("mic-permission.ios.log")),
            ("screenshot.png", Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })),
        ])
        let r = try run(["diagnose", "--format", "json", zip.path])
        #expect(r.status == 1)  // findings; the screenshot is no fault
        #expect(r.stderr.contains("screenshot.png: skipped, not a log"))
        let ds = try diagnoses(r.stdout)
        #expect(ds.count == 3)
        let bySource = Dictionary(ds.map { ($0["source"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(signatures(bySource["\(zip.path):logs/android-call.log.zst"] ?? [:]) == ["aec_failure"])
        #expect(signatures(bySource["\(zip.path):logs/ice-failed.chromium.log.lz4"] ?? [:]).contains("connection_failure"))
        #expect(signatures(bySource["\(zip.path):../../outside/mic-permission.ios.log"] ?? [:]).contains("permission_denied"))
        // The hostile name is read in memory only, said so, and nothing was written anywhere.
        #expect(r.stderr.contains("unsafe name"))
        #expect(!FileManager.default.fileExists(atPath: dir.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("outside").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["upload.zip"])
    }

    @Test("diagnose upload.zip: rotated members are one log, oldest first, and evidence names each file and line")
    func rotatedMembers() throws {
        let dir = try scratchDirectory()
        let lines = try String(contentsOf: packageRoot.appendingPathComponent("Samples/logs/android-call.log"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        let zip = dir.appendingPathComponent("upload.zip")
        // Newest first, as archivers list them: read alone, the call would be two broken halves.
        try writeArchive(zip, format: "zip", entries: [
            ("sdk.log", Data(lines[15...].joined(separator: "\n").utf8)),
            ("sdk.log.1", Data(lines[..<15].joined(separator: "\n").utf8)),
            ("other.log", try sampleData("token-expired.ios.log")),
        ])
        let r = try run(["diagnose", "--format", "json", zip.path])
        let ds = try diagnoses(r.stdout)
        #expect(ds.map { $0["source"] as? String ?? "" } == ["\(zip.path):other.log", "\(zip.path):sdk.log.1 + sdk.log"])
        let call = ds.last ?? [:]
        let evidence = ((call["findings"] as? [[String: Any]])?.first?["evidence"] as? [[String: Any]] ?? [])
            .map { "\($0["source"] as? String ?? ""):\($0["line"] as? Int ?? 0)" }
        #expect(signatures(call) == ["aec_failure"])
        #expect(evidence == ["\(zip.path):sdk.log.1:7", "\(zip.path):sdk.log.1:8",
                             "\(zip.path):sdk.log:4", "\(zip.path):sdk.log:6", "\(zip.path):sdk.log:9"])
    }

    @Test("diagnose on a ticket directory: rotated files are one log, other logs their own, a screenshot skipped")
    func ticketDirectory() throws {
        let dir = try scratchDirectory()
        let ticket = dir.appendingPathComponent("ticket-9")
        try FileManager.default.createDirectory(at: ticket, withIntermediateDirectories: true)
        let lines = try String(contentsOf: packageRoot.appendingPathComponent("Samples/logs/android-call.log"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        try Data(lines[..<15].joined(separator: "\n").utf8).write(to: ticket.appendingPathComponent("sdk.log.1"))
        try Data(lines[15...].joined(separator: "\n").utf8).write(to: ticket.appendingPathComponent("sdk.log"))
        try sampleData("token-expired.ios.log").write(to: ticket.appendingPathComponent("app.log"))
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            .write(to: ticket.appendingPathComponent("screen.png"))
        let r = try run(["diagnose", "--format", "json", ticket.path])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("screen.png: skipped, not a log"))
        let ds = try diagnoses(r.stdout)
        let joined = "\(ticket.path)/sdk.log.1 + \(ticket.path)/sdk.log"
        #expect(ds.map { $0["source"] as? String ?? "" } == ["\(ticket.path)/app.log", joined])
        let call = ds.last ?? [:]
        #expect(signatures(call) == ["aec_failure"])
        let evidence = ((call["findings"] as? [[String: Any]])?.first?["evidence"] as? [[String: Any]] ?? [])
            .map { "\((($0["source"] as? String ?? "") as NSString).lastPathComponent):\($0["line"] as? Int ?? 0)" }
        #expect(evidence == ["sdk.log.1:7", "sdk.log.1:8", "sdk.log:4", "sdk.log:6", "sdk.log:9"])
        // The same files named one by one, newest first: still one log, oldest first.
        let named = try run(["diagnose", "--format", "json", ticket.appendingPathComponent("sdk.log").path,
                             ticket.appendingPathComponent("sdk.log.1").path])
        #expect(try diagnoses(named.stdout).map { $0["source"] as? String ?? "" } == [joined])
    }

    @Test("tar.gz and tar.zst uploads are read member by member")
    func tarUploads() throws {
        let dir = try scratchDirectory()
        for (filter, name) in [("gzip", "upload.tgz"), ("zstd", "upload.tar.zst")] {
            let tar = dir.appendingPathComponent(name)
            try writeArchive(tar, format: "tar", filter: filter, entries: [
                ("sdk.log", try sampleData("android-call.log")),
                ("flapping.jsonl.gz", try sampleData("flapping-loss.jsonl.gz")),
            ])
            let r = try run(["diagnose", "--format", "json", tar.path])
            let ds = try diagnoses(r.stdout)
            #expect(ds.map { $0["source"] as? String ?? "" } == ["\(tar.path):sdk.log", "\(tar.path):flapping.jsonl.gz"])
            #expect(signatures(ds[0]) == ["aec_failure"])
            #expect(signatures(ds[1]).contains("route_flapping") && signatures(ds[1]).contains("packet_loss"))
        }
    }

    @Test("a truncated zip: members before the damage are diagnosed, the fault is named, exit 3")
    func truncatedZip() throws {
        let dir = try scratchDirectory()
        let zip = dir.appendingPathComponent("upload.zip")
        try writeArchive(zip, format: "zip", entries: [
            ("a.log", try sampleData("android-call.log")),
            ("b.log", Data(Array(repeating: try sampleData("token-expired.ios.log"), count: 500).joined())),
        ])
        let whole = try Data(contentsOf: zip)
        try whole.prefix(whole.count / 2).write(to: zip)
        let r = try run(["diagnose", "--format", "json", zip.path])
        #expect(r.status == 3)
        #expect(try signatures(diagnoses(r.stdout).first ?? [:]) == ["aec_failure"])
        #expect(r.stderr.contains(zip.path))
    }

    @Test("a zip bomb member is stopped with the reason; the tool does not read on")
    func zipBomb() throws {
        let dir = try scratchDirectory()
        let zip = dir.appendingPathComponent("bomb.zip")
        let line = Data("11-23 10:15:00.000  8123  8123 I Chatter: the same line again and again\n".utf8)
        var big = Data(capacity: 72 << 20)
        while big.count < 72 << 20 { big.append(line) }
        try writeArchive(zip, format: "zip", entries: [("bomb.log", big)])
        let r = try run(["diagnose", "--max-ratio", "50", zip.path])
        #expect(r.status == 3)
        #expect(r.stderr.contains("zip bomb"))
    }
}
