import Foundation
import GRDB
import GRDBSQLite
import RTCDiagAnalyzers
import RTCDiagFormats
import RTCDiagTriage

/// The batch store: one SQLite file (WAL) holding every upload a batch saw — analyzed,
/// skipped or failed, with the reason — and the sessions, findings and evidence lines of the
/// analyzed ones. Uploads are keyed by a hash of their bytes, so a re-run skips what is
/// already there; each upload is written in one transaction, so a killed run leaves no half
/// upload behind and the next run picks up where it stopped.
///
/// Tables: `upload`, `member` (a file inside an upload; a plain log is its own single member),
/// `session`, `finding`, `evidence`. Views: `finding_view` (a finding with its upload, member,
/// session and device), `session_view`. The schema is documented in the README.
/// SQLite copies bound text before `sqlite3_bind_text` returns.
private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

public final class Store {
    public let path: String
    let pool: any DatabaseWriter

    public enum StoreError: Error, CustomStringConvertible {
        case newerSchema(String)
        case cannotOpen(String, String)
        case notAStore(String)

        public var description: String {
            switch self {
            case .newerSchema(let p): "\(p): the store was written by a newer rtcdiag (unknown schema version); use that version or a new --db file"
            case .cannotOpen(let p, let why): "\(p): cannot open the store: \(why)"
            case .notAStore(let p): "\(p): not a store written by rtcdiag batch (left untouched)"
            }
        }
    }

    /// Opens (creating if needed) the store at `path`. A store that another process holds
    /// locked makes writes wait up to `busySeconds`, then fail with SQLite's "database is locked".
    /// `readOnly` (for `report` and `query`) reads only: a file that is not a store is refused as
    /// it is, and a store a batch is writing can be read meanwhile. The one write it may make is
    /// upgrading a store an older rtcdiag wrote to the current schema.
    public init(path: String, busySeconds: Double = 10, readOnly: Bool = false) throws {
        self.path = path
        func open(readOnly: Bool) throws -> any DatabaseWriter {
            var config = Configuration()
            config.busyMode = .timeout(busySeconds)
            config.readonly = readOnly
            // WAL with synchronous=NORMAL: a crash or kill never leaves a half upload (each is one
            // transaction); only a power cut may lose the last commits, which a re-run redoes.
            if !readOnly { config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") } }
            do {
                return readOnly ? try DatabaseQueue(path: path, configuration: config)
                    : try DatabasePool(path: path, configuration: config)
            } catch {
                throw StoreError.cannotOpen(path, "\(error)")
            }
        }
        var db = try open(readOnly: readOnly)
        let migrator = Self.migrator
        let (superseded, complete, applied) = try db.read { db in
            (try migrator.hasBeenSuperseded(db), try migrator.hasCompletedMigrations(db), try migrator.appliedIdentifiers(db))
        }
        if superseded { throw StoreError.newerSchema(path) }
        if !complete {
            if readOnly {
                // Only a store an older rtcdiag wrote is upgraded (once, then read); any other
                // file is left exactly as it is.
                guard applied.contains("v1") else { throw StoreError.notAStore(path) }
                try migrator.migrate(open(readOnly: false))
                db = try open(readOnly: true)
            } else {
                try migrator.migrate(db)
            }
        }
        pool = db
    }

    /// A store error in words a user can act on (a locked or full store, a newer schema).
    public static func explain(_ error: Error, path: String) -> String {
        if let e = error as? DatabaseError {
            switch e.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return "\(path): the store is locked by another process (another batch writing it?); nothing was written"
            case .SQLITE_FULL:
                return "\(path): the disk is full; the store keeps every upload written before this one"
            case .SQLITE_IOERR:
                return "\(path): cannot write the store (disk full, or over a file size limit?): \(e.message ?? ""); "
                    + "the store keeps every upload written before this one"
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                return "\(path): not an rtcdiag store (or a damaged one): \(e.message ?? "")"
            default: break
            }
        }
        return "\(error)"
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE upload (
                    id INTEGER PRIMARY KEY,
                    content_hash TEXT NOT NULL UNIQUE,   -- 64-bit hash of the bytes and their length, hex
                    path TEXT NOT NULL,                  -- as given on the command line (first seen)
                    bytes INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('analyzed', 'failed')),
                    reason TEXT,                         -- why it failed, or what went wrong in part
                    analyzed_at TEXT NOT NULL
                );
                CREATE TABLE member (
                    id INTEGER PRIMARY KEY,
                    upload_id INTEGER NOT NULL REFERENCES upload(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,                  -- path inside the archive, or the file name
                    status TEXT NOT NULL CHECK (status IN ('analyzed', 'skipped', 'failed')),
                    reason TEXT,
                    dialect TEXT,
                    lines INTEGER NOT NULL DEFAULT 0,
                    events INTEGER NOT NULL DEFAULT 0,
                    calls INTEGER NOT NULL DEFAULT 0,    -- sessions found, kept or only counted
                    first_time TEXT,
                    last_time TEXT
                );
                CREATE TABLE session (
                    id INTEGER PRIMARY KEY,
                    member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
                    idx INTEGER NOT NULL,                -- 0-based call number in the member
                    channel TEXT, uid TEXT, sdk_version TEXT, edge TEXT, region TEXT, network TEXT,
                    manufacturer TEXT, model TEXT, os TEXT, hardware TEXT,
                    severity TEXT,                       -- P0…P3, NULL when healthy
                    root_cause TEXT,                     -- client / link / server, NULL when healthy
                    confidence REAL,
                    first_time TEXT, last_time TEXT
                );
                CREATE TABLE finding (
                    id INTEGER PRIMARY KEY,
                    session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,
                    signature TEXT NOT NULL, subkind TEXT,
                    cause TEXT NOT NULL, severity TEXT NOT NULL, confidence REAL NOT NULL,
                    detail TEXT NOT NULL,
                    evidence_count INTEGER NOT NULL      -- lines behind it; `evidence` keeps the first few
                );
                CREATE TABLE evidence (
                    id INTEGER PRIMARY KEY,
                    finding_id INTEGER NOT NULL REFERENCES finding(id) ON DELETE CASCADE,
                    source TEXT NOT NULL, line INTEGER NOT NULL, time TEXT, text TEXT NOT NULL
                );
                CREATE INDEX member_upload ON member(upload_id);
                CREATE INDEX session_member ON session(member_id);
                CREATE INDEX finding_session ON finding(session_id);
                CREATE INDEX evidence_finding ON evidence(finding_id);
                CREATE VIEW session_view AS
                    SELECT s.*, m.name AS member, u.path AS upload, u.content_hash
                    FROM session s JOIN member m ON m.id = s.member_id JOIN upload u ON u.id = m.upload_id;
                CREATE VIEW finding_view AS
                    SELECT f.id, f.signature, f.subkind, f.cause, f.severity, f.confidence, f.detail, f.evidence_count,
                           s.id AS session_id, s.idx AS session_index, s.root_cause AS session_cause,
                           s.severity AS session_severity, s.manufacturer, s.model, s.os, s.region, s.edge, s.network,
                           s.first_time, m.name AS member, u.path AS upload
                    FROM finding f JOIN session s ON s.id = f.session_id JOIN member m ON m.id = s.member_id
                    JOIN upload u ON u.id = m.upload_id;
                """)
        }
        // v2: a finding's evidence lines live in the finding as a JSON array (one row written
        // per finding instead of one per line: a batch's single writer did half its work on
        // evidence rows); `evidence` stays queryable, as a view over those arrays.
        m.registerMigration("v2") { db in
            try db.execute(sql: """
                ALTER TABLE finding ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]';
                UPDATE finding SET evidence = (
                    SELECT json_group_array(json_object('source', source, 'line', line, 'time', time, 'text', text))
                    FROM (SELECT * FROM evidence e WHERE e.finding_id = finding.id ORDER BY e.id));
                DROP INDEX evidence_finding;
                DROP TABLE evidence;
                CREATE VIEW evidence AS
                    SELECT f.id AS finding_id, j.key AS n,
                           json_extract(j.value, '$.source') AS source, json_extract(j.value, '$.line') AS line,
                           json_extract(j.value, '$.time') AS time, json_extract(j.value, '$.text') AS text
                    FROM finding f, json_each(f.evidence) j;
                """)
        }
        // v3: no indexes on session(member_id) and finding(session_id). Rows are only ever
        // appended and looked up by primary key (the views join child to parent); each index
        // was one more B-tree page written per upload's transaction, a fifth of the single
        // writer's work. Queries that go from parent to children get SQLite's automatic index.
        m.registerMigration("v3") { db in
            try db.execute(sql: """
                DROP INDEX IF EXISTS session_member;
                DROP INDEX IF EXISTS finding_session;
                """)
        }
        return m
    }

    /// Content hashes already in the store (analyzed or failed): a re-run skips them.
    public func knownHashes() throws -> Set<String> {
        try pool.read { db in Set(try String.fetchAll(db, sql: "SELECT content_hash FROM upload")) }
    }

    /// Writes one upload with everything found in it, in one transaction. The inserts are
    /// prepared once per upload and bound through SQLite's C API: a batch of call-dense uploads
    /// writes hundreds of thousands of rows on one thread, and GRDB's per-row argument
    /// boxing cost more than SQLite's own work.
    public func write(_ u: UploadResult) throws {
        try pool.write { db in
            guard let connection = db.sqliteConnection else { throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "closed") }
            var upload = try Insert(db, connection, """
                INSERT INTO upload (content_hash, path, bytes, status, reason, analyzed_at) VALUES (?, ?, ?, ?, ?, ?)
                """)
            var member = try Insert(db, connection, """
                INSERT INTO member (upload_id, name, status, reason, dialect, lines, events, calls, first_time, last_time)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var session = try Insert(db, connection, """
                INSERT INTO session (member_id, idx, channel, uid, sdk_version, edge, region, network, manufacturer,
                                     model, os, hardware, severity, root_cause, confidence, first_time, last_time)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var finding = try Insert(db, connection, """
                INSERT INTO finding (session_id, signature, subkind, cause, severity, confidence, detail, evidence_count, evidence)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            upload.bind(u.contentHash); upload.bind(u.path); upload.bind(u.bytes); upload.bind(u.status.rawValue)
            upload.bind(u.reason); upload.bind(u.analyzedAt)
            let uploadID = try upload.run()
            for m in u.members {
                member.bind(uploadID); member.bind(m.name); member.bind(m.status.rawValue); member.bind(m.reason)
                member.bind(m.dialect); member.bind(Int64(m.lines)); member.bind(Int64(m.events)); member.bind(Int64(m.calls))
                member.bind(m.firstTime.map { formatLogTime($0) }); member.bind(m.lastTime.map { formatLogTime($0) })
                let memberID = try member.run()
                try m.sessions.text.withUnsafeBufferPointer { text in
                    // The text is freed with the upload: no statement may keep pointing at it.
                    defer { sqlite3_clear_bindings(session.statement); sqlite3_clear_bindings(finding.statement) }
                    let values = m.sessions.values
                    func bind(_ insert: inout Insert, _ v: StoreRows.Value) {
                        switch v {
                        case .null: insert.bindNull()
                        case .int(let n): insert.bind(n)
                        case .real(let d): insert.bind(d)
                        case .text(let start, let count): insert.bind(UnsafeBufferPointer(rebasing: text[start..<start + count]))
                        }
                    }
                    var i = 0
                    while i < values.count {
                        session.bind(memberID)
                        for v in values[i..<i + StoreRows.sessionColumns] { bind(&session, v) }
                        i += StoreRows.sessionColumns
                        let sessionID = try session.run()
                        guard case .int(let findings) = values[i] else { preconditionFailure("packed rows out of step") }
                        i += 1
                        for _ in 0..<findings {
                            finding.bind(sessionID)
                            for v in values[i..<i + StoreRows.findingColumns] { bind(&finding, v) }
                            i += StoreRows.findingColumns
                            _ = try finding.run()
                        }
                    }
                }
            }
        }
    }

    /// One cached insert statement, bound left to right and run row by row.
    struct Insert {
        let connection: OpaquePointer
        let statement: OpaquePointer
        var column: Int32 = 0

        init(_ db: Database, _ connection: OpaquePointer, _ sql: String) throws {
            self.connection = connection
            statement = try db.cachedStatement(sql: sql).sqliteStatement
            sqlite3_reset(statement)
        }

        mutating func bind(_ s: String?) {
            column += 1
            guard var s else { sqlite3_bind_null(statement, column); return }
            // Length-delimited: log text may hold NUL bytes.
            if s.isEmpty { sqlite3_bind_text(statement, column, "", 0, transient); return }
            let (statement, column) = (statement, column)
            _ = s.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(statement, column, $0.baseAddress, Int32($0.count), transient) }
            }
        }

        /// Text that stays where it is until the row is inserted (SQLite does not copy it).
        mutating func bind(_ bytes: UnsafeBufferPointer<UInt8>) {
            column += 1
            _ = bytes.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(statement, column, $0.baseAddress, Int32($0.count), nil) }
        }

        mutating func bindNull() {
            column += 1
            sqlite3_bind_null(statement, column)
        }

        mutating func bind(_ n: Int64) {
            column += 1
            sqlite3_bind_int64(statement, column, n)
        }

        mutating func bind(_ d: Double?) {
            column += 1
            if let d { sqlite3_bind_double(statement, column, d) } else { sqlite3_bind_null(statement, column) }
        }

        /// Inserts the bound row; the new row's id.
        mutating func run() throws -> Int64 {
            column = 0
            let rc = sqlite3_step(statement)
            sqlite3_reset(statement)
            guard rc == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: sqlite3_extended_errcode(connection)),
                                    message: String(cString: sqlite3_errmsg(connection)))
            }
            return sqlite3_last_insert_rowid(connection)
        }
    }

    /// Runs a read-only query; column names and rows as text (NULL as nil).
    public func query(_ sql: String) throws -> (columns: [String], rows: [[String?]]) {
        try pool.read { db in
            let statement = try db.makeStatement(sql: sql)
            guard statement.isReadonly else { throw DatabaseError(message: "only read-only statements are allowed here") }
            let columns = statement.columnNames
            var rows: [[String?]] = []
            let cursor = try Row.fetchCursor(statement)
            while let row = try cursor.next() {
                rows.append((0..<columns.count).map { i in
                    let value: DatabaseValue = row[i]
                    switch value.storage {
                    case .null: return nil
                    case .int64(let n): return String(n)
                    case .double(let d): return String(d)
                    case .string(let s): return s
                    case .blob(let b): return "<\(b.count) bytes>"
                    }
                })
            }
            return (columns, rows)
        }
    }
}
