//! The audit trail (全过程留痕): every write to the store appends an entry — time, actor,
//! action, object, details and a SHA-256 digest of the content written — chained to the
//! previous entry by SHA-256, in the same transaction as the write. Changing, deleting or
//! reordering an entry in the database breaks the chain at that entry, which [`verify`]
//! names. Deleting entries at the end leaves a shorter valid chain: keep the head hash that
//! `onemap audit verify` prints (in a report, a ticket) and verify against it with `--head`.

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// The table.
pub(crate) const TABLE: &str = "
CREATE TABLE IF NOT EXISTS onemap_audit (
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  object TEXT NOT NULL, detail TEXT NOT NULL, digest TEXT NOT NULL, prev TEXT NOT NULL,
  hash TEXT NOT NULL);
INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) VALUES
  ('onemap_audit', 'attributes', 'onemap_audit', 'onemap 审计日志（哈希链）');
";

/// The `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// Position, from 1 without gaps.
    pub seq: i64,
    /// RFC 3339 UTC.
    pub at: String,
    /// Who: a user name (signed in, or the OS user for the command line).
    pub actor: String,
    /// What: `import`, `remove`, `stats-import`, `monitor`, `report`, `sign-in`, …
    pub action: String,
    /// On what: a dataset id, a table, a report, a user.
    pub object: String,
    /// In words.
    pub detail: String,
    /// SHA-256 (hex) of the content written, or empty when there is none.
    pub digest: String,
    /// The previous entry's hash ([`GENESIS`] for the first).
    pub prev: String,
    /// SHA-256 (hex) of this entry's fields and `prev`.
    pub hash: String,
}

/// SHA-256 of bytes, hex.
pub fn digest(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes as lower-case hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The hash of an entry: SHA-256 over its fields (lengths prefixed, so no two field lists
/// give the same input) and the previous hash.
pub fn entry_hash(e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    for f in [
        e.seq.to_string().as_str(),
        &e.at,
        &e.actor,
        &e.action,
        &e.object,
        &e.detail,
        &e.digest,
        &e.prev,
    ] {
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    hex(&h.finalize())
}

/// Where the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditBreak {
    /// The first entry that does not verify (or the position of a missing one).
    pub seq: i64,
    /// What is wrong, in words.
    pub message: String,
}

/// Check the chain: positions 1, 2, 3 … without gaps, each entry's `prev` the hash of the
/// one before, each hash recomputed from the entry. The first break is returned.
pub fn verify(entries: &[AuditEntry]) -> Result<(), AuditBreak> {
    // The hashes on every core; the links in order.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = entries.len().div_ceil(threads).max(1);
    let hashes: Vec<String> = std::thread::scope(|sc| {
        let jobs: Vec<_> = entries
            .chunks(chunk)
            .map(|c| {
                (
                    c,
                    sc.spawn(move || c.iter().map(entry_hash).collect::<Vec<_>>()),
                )
            })
            .collect();
        jobs.into_iter()
            .flat_map(|(c, j)| {
                j.join()
                    .unwrap_or_else(|_| c.iter().map(entry_hash).collect())
            })
            .collect()
    });
    let mut prev = GENESIS.to_string();
    for (k, e) in entries.iter().enumerate() {
        let want = k as i64 + 1;
        let who = format!(
            "entry {} ({} {} {} by {})",
            e.seq, e.at, e.action, e.object, e.actor
        );
        if e.seq != want {
            return Err(AuditBreak {
                seq: want,
                message: if e.seq > want {
                    format!("entry {want} is missing: {who} follows entry {}", want - 1)
                } else {
                    format!("{who} is out of order (expected entry {want})")
                },
            });
        }
        if e.prev != prev {
            return Err(AuditBreak {
                seq: e.seq,
                message: format!(
                    "{who} does not follow entry {}: its link is {} but entry {} hashes to {} (an entry was removed, replaced or reordered)",
                    want - 1,
                    short(&e.prev),
                    want - 1,
                    short(&prev)
                ),
            });
        }
        let h = hashes.get(k).cloned().unwrap_or_else(|| entry_hash(e));
        if h != e.hash {
            return Err(AuditBreak {
                seq: e.seq,
                message: format!(
                    "{who} was changed: its fields hash to {} but the entry says {}",
                    short(&h),
                    short(&e.hash)
                ),
            });
        }
        prev = h;
    }
    Ok(())
}

fn short(h: &str) -> &str {
    h.get(..16).unwrap_or(h)
}

/// Append an entry (inside the caller's transaction).
pub(crate) fn append(
    conn: &Connection,
    actor: &str,
    action: &str,
    object: &str,
    detail: &str,
    digest: &str,
) -> rusqlite::Result<AuditEntry> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM onemap_audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let mut e = next_entry(last, actor, action, object, detail, digest);
    insert(conn, &mut e)?;
    Ok(e)
}

/// The entry after `last` (its position and hash; `None` at the start), hashed.
pub(crate) fn next_entry(
    last: Option<(i64, String)>,
    actor: &str,
    action: &str,
    object: &str,
    detail: &str,
    digest: &str,
) -> AuditEntry {
    let (seq, prev) = last.map_or((1, GENESIS.to_string()), |(s, h)| (s + 1, h));
    let mut e = AuditEntry {
        seq,
        at: crate::now_rfc3339(),
        actor: actor.to_string(),
        action: action.to_string(),
        object: object.to_string(),
        detail: detail.to_string(),
        digest: digest.to_string(),
        prev,
        hash: String::new(),
    };
    e.hash = entry_hash(&e);
    e
}

/// Hash an entry and store it.
fn insert(conn: &Connection, e: &mut AuditEntry) -> rusqlite::Result<()> {
    e.hash = entry_hash(e);
    conn.execute(
        "INSERT INTO onemap_audit (seq, at, actor, action, object, detail, digest, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![e.seq, e.at, e.actor, e.action, e.object, e.detail, e.digest, e.prev, e.hash],
    )?;
    Ok(())
}

/// Every entry, by position.
pub(crate) fn read(conn: &Connection) -> rusqlite::Result<Vec<AuditEntry>> {
    let mut st = conn.prepare(
        "SELECT seq, at, actor, action, object, detail, digest, prev, hash FROM onemap_audit ORDER BY seq",
    )?;
    let rows = st.query_map([], |r| {
        Ok(AuditEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            object: r.get(4)?,
            detail: r.get(5)?,
            digest: r.get(6)?,
            prev: r.get(7)?,
            hash: r.get(8)?,
        })
    })?;
    rows.collect()
}

/// A store made before the audit trail: its event log becomes the start of the chain (once).
pub(crate) fn adopt_events(conn: &Connection) -> rusqlite::Result<()> {
    let audited: i64 = conn.query_row("SELECT count(*) FROM onemap_audit", [], |r| r.get(0))?;
    let events: i64 = conn.query_row("SELECT count(*) FROM onemap_events", [], |r| r.get(0))?;
    if audited > 0 || events == 0 {
        return Ok(());
    }
    let rows: Vec<(String, String, String, String, String)> = {
        let mut st = conn.prepare(
            "SELECT at, user, action, dataset_id, detail FROM onemap_events ORDER BY seq",
        )?;
        let r = st.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        r.collect::<rusqlite::Result<_>>()?
    };
    conn.execute_batch("SAVEPOINT adopt")?;
    let mut prev = GENESIS.to_string();
    for (k, (at, user, action, object, detail)) in rows.into_iter().enumerate() {
        // An import's digest is its dataset's source hash, as for audited imports.
        let digest: String = if action == "import" {
            conn.query_row(
                "SELECT sha256 FROM onemap_datasets WHERE id = ?1",
                [&object],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_default()
        } else {
            String::new()
        };
        let mut e = AuditEntry {
            seq: k as i64 + 1,
            at,
            actor: user,
            action,
            object,
            detail: format!("{detail}（审计日志启用前的操作记录）"),
            digest,
            prev,
            hash: String::new(),
        };
        insert(conn, &mut e)?;
        prev = e.hash;
    }
    conn.execute_batch("RELEASE adopt")
}
