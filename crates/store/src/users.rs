//! Users, roles and sessions: passwords hashed with Argon2id, sessions as random tokens of
//! which only the SHA-256 is kept, lock-out after repeated failures. Every change and every
//! sign-in (failed or not) is an entry in the audit trail.

use crate::{audit, now_secs, rfc3339};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rusqlite::{params, Connection, OptionalExtension};

/// The tables.
pub(crate) const TABLES: &str = "
CREATE TABLE IF NOT EXISTS onemap_users (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, password TEXT NOT NULL, created_at TEXT NOT NULL,
  created_by TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0, locked_until INTEGER);
CREATE TABLE IF NOT EXISTS onemap_sessions (
  token_sha256 TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL);
";

/// Consecutive failed sign-ins that lock an account.
pub const MAX_FAILURES: i64 = 5;
/// How long a locked account stays locked, seconds.
pub const LOCK_SECS: i64 = 15 * 60;
/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 8;

/// A role.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Role {
    /// Users and everything.
    Admin,
    /// All counties; proposes amendments; runs reviews and reports.
    City,
    /// Approves and rejects amendments.
    Approver,
    /// Reads and reviews limited to one county's data (its 6-digit XZQDM).
    County(String),
}

impl Role {
    /// Parse `admin`, `city`, `approver`, `county:150502`.
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "admin" => Role::Admin,
            "city" => Role::City,
            "approver" => Role::Approver,
            _ => {
                let code = s.strip_prefix("county:")?;
                if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                Role::County(code.to_string())
            }
        })
    }

    /// As written in the store and on the command line.
    pub fn id(&self) -> String {
        match self {
            Role::Admin => "admin".into(),
            Role::City => "city".into(),
            Role::Approver => "approver".into(),
            Role::County(c) => format!("county:{c}"),
        }
    }
}

/// A user as listed (never the password hash).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct User {
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// When added, RFC 3339.
    pub created_at: String,
    /// By whom.
    pub created_by: String,
    /// Consecutive failed sign-ins.
    pub failures: i64,
    /// Locked until (RFC 3339), if locked.
    pub locked_until: Option<String>,
}

/// A signed-in session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The bearer token (shown once; the store keeps its SHA-256).
    pub token: String,
    /// The user.
    pub user: User,
    /// Expiry, seconds since 1970.
    pub expires_at: i64,
}

/// Why a sign-in failed (all reported to the client as the same message, but logged apart).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignInError {
    /// No such user, or a wrong password.
    Wrong,
    /// Locked after repeated failures, until this RFC 3339 time.
    Locked(String),
}

/// Argon2id hash of a password (PHC string).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Refuse weak passwords.
pub fn check_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(format!(
            "the password is shorter than {MIN_PASSWORD} characters"
        ));
    }
    Ok(())
}

fn row_user(r: &rusqlite::Row) -> rusqlite::Result<User> {
    let role: String = r.get(1)?;
    let locked: Option<i64> = r.get(5)?;
    Ok(User {
        name: r.get(0)?,
        role: Role::parse(&role).unwrap_or(Role::County("000000".into())),
        created_at: r.get(2)?,
        created_by: r.get(3)?,
        failures: r.get(4)?,
        locked_until: locked.filter(|t| *t > now_secs()).map(rfc3339),
    })
}

pub(crate) fn list(conn: &Connection) -> rusqlite::Result<Vec<User>> {
    let mut st = conn.prepare(
        "SELECT name, role, created_at, created_by, failures, locked_until FROM onemap_users ORDER BY name",
    )?;
    let rows = st.query_map([], row_user)?;
    rows.collect()
}

fn get(conn: &Connection, name: &str) -> rusqlite::Result<Option<User>> {
    conn.query_row(
        "SELECT name, role, created_at, created_by, failures, locked_until FROM onemap_users WHERE name = ?1",
        [name],
        row_user,
    )
    .optional()
}

/// Add a user (inside the caller's transaction). `Err(Ok(message))` refuses.
pub(crate) fn add(
    conn: &Connection,
    name: &str,
    role: &Role,
    password: &str,
    by: &str,
) -> Result<User, Result<String, rusqlite::Error>> {
    if name.trim().is_empty() || name.contains(char::is_whitespace) || name.len() > 64 {
        return Err(Ok(format!(
            "user name {name:?}: 1 to 64 characters without spaces"
        )));
    }
    check_password(password).map_err(Ok)?;
    if get(conn, name).map_err(Err)?.is_some() {
        return Err(Ok(format!(
            "user {name:?} exists; onemap user passwd / role change it"
        )));
    }
    let hash = hash_password(password).map_err(Ok)?;
    conn.execute(
        "INSERT INTO onemap_users (name, role, password, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![name, role.id(), hash, crate::now_rfc3339(), by],
    )
    .map_err(Err)?;
    audit::append(
        conn,
        by,
        "user-add",
        name,
        &format!("user {name} added with role {}", role.id()),
        "",
    )
    .map_err(Err)?;
    get(conn, name)
        .map_err(Err)?
        .ok_or_else(|| Ok(format!("user {name} vanished")))
}

/// Change a user: a new password and/or role; `None` removes the user. Sessions of a changed
/// or removed user end.
pub(crate) fn change(
    conn: &Connection,
    name: &str,
    password: Option<&str>,
    role: Option<&Role>,
    remove: bool,
    by: &str,
) -> Result<(), Result<String, rusqlite::Error>> {
    let Some(u) = get(conn, name).map_err(Err)? else {
        return Err(Ok(format!("no user {name:?}; onemap user list shows them")));
    };
    if remove {
        conn.execute("DELETE FROM onemap_users WHERE name = ?1", [name])
            .map_err(Err)?;
        audit::append(
            conn,
            by,
            "user-remove",
            name,
            &format!("user {name} ({}) removed", u.role.id()),
            "",
        )
        .map_err(Err)?;
    }
    if let Some(p) = password {
        check_password(p).map_err(Ok)?;
        let hash = hash_password(p).map_err(Ok)?;
        conn.execute(
            "UPDATE onemap_users SET password = ?2, failures = 0, locked_until = NULL WHERE name = ?1",
            params![name, hash],
        )
        .map_err(Err)?;
        audit::append(
            conn,
            by,
            "user-password",
            name,
            &format!("password of {name} changed"),
            "",
        )
        .map_err(Err)?;
    }
    if let Some(r) = role {
        conn.execute(
            "UPDATE onemap_users SET role = ?2 WHERE name = ?1",
            params![name, r.id()],
        )
        .map_err(Err)?;
        audit::append(
            conn,
            by,
            "user-role",
            name,
            &format!("role of {name}: {} → {}", u.role.id(), r.id()),
            "",
        )
        .map_err(Err)?;
    }
    conn.execute("DELETE FROM onemap_sessions WHERE name = ?1", [name])
        .map_err(Err)?;
    Ok(())
}

/// Sign in: a session of `ttl` seconds, or why not. Every attempt is audited; the fifth
/// consecutive failure locks the account for [`LOCK_SECS`].
pub(crate) fn sign_in(
    conn: &Connection,
    name: &str,
    password: &str,
    ttl: i64,
    from: &str,
) -> rusqlite::Result<Result<Session, SignInError>> {
    let now = now_secs();
    let row: Option<(String, i64, Option<i64>)> = conn
        .query_row(
            "SELECT password, failures, locked_until FROM onemap_users WHERE name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((phc, failures, locked)) = row else {
        // Spend the same time as a real check, so names cannot be probed by timing.
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy =
            DUMMY.get_or_init(|| hash_password("onemap-dummy-password").unwrap_or_default());
        let _ = verify_password(password, dummy);
        audit::append(
            conn,
            name,
            "sign-in-failed",
            name,
            &format!("unknown user, from {from}"),
            "",
        )?;
        return Ok(Err(SignInError::Wrong));
    };
    if let Some(t) = locked.filter(|t| *t > now) {
        audit::append(
            conn,
            name,
            "sign-in-failed",
            name,
            &format!("locked until {}, from {from}", rfc3339(t)),
            "",
        )?;
        return Ok(Err(SignInError::Locked(rfc3339(t))));
    }
    if !verify_password(password, &phc) {
        let failures = failures + 1;
        let lock = (failures >= MAX_FAILURES).then_some(now + LOCK_SECS);
        conn.execute(
            "UPDATE onemap_users SET failures = ?2, locked_until = ?3 WHERE name = ?1",
            params![name, if lock.is_some() { 0 } else { failures }, lock],
        )?;
        audit::append(
            conn,
            name,
            "sign-in-failed",
            name,
            &match lock {
                Some(t) => format!(
                    "wrong password ({failures} in a row), locked until {}, from {from}",
                    rfc3339(t)
                ),
                None => format!("wrong password ({failures} in a row), from {from}"),
            },
            "",
        )?;
        return Ok(Err(match lock {
            Some(t) => SignInError::Locked(rfc3339(t)),
            None => SignInError::Wrong,
        }));
    }
    conn.execute(
        "UPDATE onemap_users SET failures = 0, locked_until = NULL WHERE name = ?1",
        [name],
    )?;
    let mut raw = [0u8; 32];
    OsRng.fill_bytes(&mut raw);
    let token = audit::hex(&raw);
    let expires_at = now + ttl;
    conn.execute(
        "INSERT INTO onemap_sessions (token_sha256, name, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![audit::digest(token.as_bytes()), name, now, expires_at],
    )?;
    conn.execute("DELETE FROM onemap_sessions WHERE expires_at <= ?1", [now])?;
    audit::append(
        conn,
        name,
        "sign-in",
        name,
        &format!("session until {}, from {from}", rfc3339(expires_at)),
        "",
    )?;
    let user = get(conn, name)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    Ok(Ok(Session {
        token,
        user,
        expires_at,
    }))
}

/// The user of a live session token.
pub(crate) fn session(conn: &Connection, token: &str) -> rusqlite::Result<Option<User>> {
    let name: Option<String> = conn
        .query_row(
            "SELECT name FROM onemap_sessions WHERE token_sha256 = ?1 AND expires_at > ?2",
            params![audit::digest(token.as_bytes()), now_secs()],
            |r| r.get(0),
        )
        .optional()?;
    match name {
        Some(n) => get(conn, &n),
        None => Ok(None),
    }
}

/// End a session.
pub(crate) fn sign_out(conn: &Connection, token: &str) -> rusqlite::Result<bool> {
    let name: Option<String> = conn
        .query_row(
            "SELECT name FROM onemap_sessions WHERE token_sha256 = ?1",
            [audit::digest(token.as_bytes())],
            |r| r.get(0),
        )
        .optional()?;
    let Some(name) = name else { return Ok(false) };
    conn.execute(
        "DELETE FROM onemap_sessions WHERE token_sha256 = ?1",
        [audit::digest(token.as_bytes())],
    )?;
    audit::append(conn, &name, "sign-out", &name, "session ended", "")?;
    Ok(true)
}
