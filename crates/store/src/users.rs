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

/// A database error of either backend.
pub(crate) type DbError = Box<dyn std::error::Error + Send + Sync>;
type DbResult<T> = Result<T, DbError>;

/// A stored user: the user as listed, the password hash, the lock (seconds since 1970).
pub(crate) struct UserRow {
    pub user: User,
    pub password: String,
    pub locked: Option<i64>,
}

impl UserRow {
    /// From the columns as stored.
    pub(crate) fn new(
        name: String,
        role: &str,
        created_at: String,
        created_by: String,
        failures: i64,
        locked: Option<i64>,
        password: String,
    ) -> UserRow {
        UserRow {
            user: User {
                name,
                role: Role::parse(role).unwrap_or(Role::County("000000".into())),
                created_at,
                created_by,
                failures,
                locked_until: locked.filter(|t| *t > now_secs()).map(rfc3339),
            },
            password,
            locked,
        }
    }
}

/// What the user logic needs from a store's database, inside the caller's transaction. The
/// logic (checks, hashing, lock-out, sessions, the audit entries) is written once, here.
pub(crate) trait UserDb {
    /// One user.
    fn user(&mut self, name: &str) -> DbResult<Option<UserRow>>;
    /// Every user, by name.
    fn users(&mut self) -> DbResult<Vec<User>>;
    /// Add a user.
    fn insert_user(&mut self, u: &User, password: &str) -> DbResult<()>;
    /// Remove a user.
    fn delete_user(&mut self, name: &str) -> DbResult<()>;
    /// Set a password hash (and clear failures and the lock).
    fn set_password(&mut self, name: &str, password: &str) -> DbResult<()>;
    /// Set a role.
    fn set_role(&mut self, name: &str, role: &str) -> DbResult<()>;
    /// Set the failure count and the lock.
    fn set_failures(&mut self, name: &str, failures: i64, locked: Option<i64>) -> DbResult<()>;
    /// End a user's sessions.
    fn delete_sessions_of(&mut self, name: &str) -> DbResult<()>;
    /// Start a session; drop those expired by `now`.
    fn insert_session(
        &mut self,
        token_sha256: &str,
        name: &str,
        now: i64,
        expires: i64,
    ) -> DbResult<()>;
    /// The user name of a session (live at `now`, when given).
    fn session_name(&mut self, token_sha256: &str, now: Option<i64>) -> DbResult<Option<String>>;
    /// End a session.
    fn delete_session(&mut self, token_sha256: &str) -> DbResult<()>;
    /// Append an audit entry.
    fn audit(&mut self, actor: &str, action: &str, object: &str, detail: &str) -> DbResult<()>;
}

/// The GeoPackage store's users: a connection (inside a transaction for writes).
pub(crate) struct SqliteUsers<'a>(pub &'a Connection);

const USER_COLUMNS: &str = "name, role, created_at, created_by, failures, locked_until, password";

fn sqlite_row(r: &rusqlite::Row) -> rusqlite::Result<UserRow> {
    let role: String = r.get(1)?;
    Ok(UserRow::new(
        r.get(0)?,
        &role,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

impl UserDb for SqliteUsers<'_> {
    fn user(&mut self, name: &str) -> DbResult<Option<UserRow>> {
        Ok(self
            .0
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM onemap_users WHERE name = ?1"),
                [name],
                sqlite_row,
            )
            .optional()?)
    }

    fn users(&mut self) -> DbResult<Vec<User>> {
        let mut st = self.0.prepare(&format!(
            "SELECT {USER_COLUMNS} FROM onemap_users ORDER BY name"
        ))?;
        let rows = st.query_map([], sqlite_row)?;
        Ok(rows
            .map(|r| r.map(|x| x.user))
            .collect::<rusqlite::Result<_>>()?)
    }

    fn insert_user(&mut self, u: &User, password: &str) -> DbResult<()> {
        self.0.execute(
            "INSERT INTO onemap_users (name, role, password, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![u.name, u.role.id(), password, u.created_at, u.created_by],
        )?;
        Ok(())
    }

    fn delete_user(&mut self, name: &str) -> DbResult<()> {
        self.0
            .execute("DELETE FROM onemap_users WHERE name = ?1", [name])?;
        Ok(())
    }

    fn set_password(&mut self, name: &str, password: &str) -> DbResult<()> {
        self.0.execute(
            "UPDATE onemap_users SET password = ?2, failures = 0, locked_until = NULL WHERE name = ?1",
            params![name, password],
        )?;
        Ok(())
    }

    fn set_role(&mut self, name: &str, role: &str) -> DbResult<()> {
        self.0.execute(
            "UPDATE onemap_users SET role = ?2 WHERE name = ?1",
            params![name, role],
        )?;
        Ok(())
    }

    fn set_failures(&mut self, name: &str, failures: i64, locked: Option<i64>) -> DbResult<()> {
        self.0.execute(
            "UPDATE onemap_users SET failures = ?2, locked_until = ?3 WHERE name = ?1",
            params![name, failures, locked],
        )?;
        Ok(())
    }

    fn delete_sessions_of(&mut self, name: &str) -> DbResult<()> {
        self.0
            .execute("DELETE FROM onemap_sessions WHERE name = ?1", [name])?;
        Ok(())
    }

    fn insert_session(
        &mut self,
        token_sha256: &str,
        name: &str,
        now: i64,
        expires: i64,
    ) -> DbResult<()> {
        self.0.execute(
            "INSERT INTO onemap_sessions (token_sha256, name, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![token_sha256, name, now, expires],
        )?;
        self.0
            .execute("DELETE FROM onemap_sessions WHERE expires_at <= ?1", [now])?;
        Ok(())
    }

    fn session_name(&mut self, token_sha256: &str, now: Option<i64>) -> DbResult<Option<String>> {
        Ok(self
            .0
            .query_row(
                "SELECT name FROM onemap_sessions WHERE token_sha256 = ?1 AND (?2 IS NULL OR expires_at > ?2)",
                params![token_sha256, now],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn delete_session(&mut self, token_sha256: &str) -> DbResult<()> {
        self.0.execute(
            "DELETE FROM onemap_sessions WHERE token_sha256 = ?1",
            [token_sha256],
        )?;
        Ok(())
    }

    fn audit(&mut self, actor: &str, action: &str, object: &str, detail: &str) -> DbResult<()> {
        audit::append(self.0, actor, action, object, detail, "")?;
        Ok(())
    }
}

/// A refusal in words (`Ok`), or a database error (`Err`).
pub(crate) type Refusal = Result<String, DbError>;

/// Add a user. `Err(Ok(message))` refuses.
pub(crate) fn add(
    db: &mut dyn UserDb,
    name: &str,
    role: &Role,
    password: &str,
    by: &str,
) -> Result<User, Refusal> {
    if name.trim().is_empty() || name.contains(char::is_whitespace) || name.len() > 64 {
        return Err(Ok(format!(
            "user name {name:?}: 1 to 64 characters without spaces"
        )));
    }
    check_password(password).map_err(Ok)?;
    if db.user(name).map_err(Err)?.is_some() {
        return Err(Ok(format!(
            "user {name:?} exists; onemap user passwd / role change it"
        )));
    }
    let hash = hash_password(password).map_err(Ok)?;
    let u = User {
        name: name.to_string(),
        role: role.clone(),
        created_at: crate::now_rfc3339(),
        created_by: by.to_string(),
        failures: 0,
        locked_until: None,
    };
    db.insert_user(&u, &hash).map_err(Err)?;
    db.audit(
        by,
        "user-add",
        name,
        &format!("user {name} added with role {}", role.id()),
    )
    .map_err(Err)?;
    Ok(u)
}

/// Change a user: a new password and/or role, or remove it. Sessions of a changed or
/// removed user end.
pub(crate) fn change(
    db: &mut dyn UserDb,
    name: &str,
    password: Option<&str>,
    role: Option<&Role>,
    remove: bool,
    by: &str,
) -> Result<(), Refusal> {
    let Some(u) = db.user(name).map_err(Err)? else {
        return Err(Ok(format!("no user {name:?}; onemap user list shows them")));
    };
    let old = u.user.role.id();
    if remove {
        db.delete_user(name).map_err(Err)?;
        db.audit(
            by,
            "user-remove",
            name,
            &format!("user {name} ({old}) removed"),
        )
        .map_err(Err)?;
    }
    if let Some(p) = password {
        check_password(p).map_err(Ok)?;
        let hash = hash_password(p).map_err(Ok)?;
        db.set_password(name, &hash).map_err(Err)?;
        db.audit(
            by,
            "user-password",
            name,
            &format!("password of {name} changed"),
        )
        .map_err(Err)?;
    }
    if let Some(r) = role {
        db.set_role(name, &r.id()).map_err(Err)?;
        db.audit(
            by,
            "user-role",
            name,
            &format!("role of {name}: {old} → {}", r.id()),
        )
        .map_err(Err)?;
    }
    db.delete_sessions_of(name).map_err(Err)?;
    Ok(())
}

/// Sign in: a session of `ttl` seconds, or why not. Every attempt is audited; the fifth
/// consecutive failure locks the account for [`LOCK_SECS`].
pub(crate) fn sign_in(
    db: &mut dyn UserDb,
    name: &str,
    password: &str,
    ttl: i64,
    from: &str,
) -> DbResult<Result<Session, SignInError>> {
    let now = now_secs();
    let Some(row) = db.user(name)? else {
        // Spend the same time as a real check, so names cannot be probed by timing.
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy =
            DUMMY.get_or_init(|| hash_password("onemap-dummy-password").unwrap_or_default());
        let _ = verify_password(password, dummy);
        db.audit(
            name,
            "sign-in-failed",
            name,
            &format!("unknown user, from {from}"),
        )?;
        return Ok(Err(SignInError::Wrong));
    };
    if let Some(t) = row.locked.filter(|t| *t > now) {
        db.audit(
            name,
            "sign-in-failed",
            name,
            &format!("locked until {}, from {from}", rfc3339(t)),
        )?;
        return Ok(Err(SignInError::Locked(rfc3339(t))));
    }
    if !verify_password(password, &row.password) {
        let failures = row.user.failures + 1;
        let lock = (failures >= MAX_FAILURES).then_some(now + LOCK_SECS);
        db.set_failures(name, if lock.is_some() { 0 } else { failures }, lock)?;
        db.audit(
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
        )?;
        return Ok(Err(match lock {
            Some(t) => SignInError::Locked(rfc3339(t)),
            None => SignInError::Wrong,
        }));
    }
    db.set_failures(name, 0, None)?;
    let mut raw = [0u8; 32];
    OsRng.fill_bytes(&mut raw);
    let token = audit::hex(&raw);
    let expires_at = now + ttl;
    db.insert_session(&audit::digest(token.as_bytes()), name, now, expires_at)?;
    db.audit(
        name,
        "sign-in",
        name,
        &format!("session until {}, from {from}", rfc3339(expires_at)),
    )?;
    let user = db
        .user(name)?
        .ok_or("the user vanished while signing in")?
        .user;
    Ok(Ok(Session {
        token,
        user,
        expires_at,
    }))
}

/// The user of a live session token.
pub(crate) fn session(db: &mut dyn UserDb, token: &str) -> DbResult<Option<User>> {
    match db.session_name(&audit::digest(token.as_bytes()), Some(now_secs()))? {
        Some(n) => Ok(db.user(&n)?.map(|r| r.user)),
        None => Ok(None),
    }
}

/// End a session.
pub(crate) fn sign_out(db: &mut dyn UserDb, token: &str) -> DbResult<bool> {
    let sha = audit::digest(token.as_bytes());
    let Some(name) = db.session_name(&sha, None)? else {
        return Ok(false);
    };
    db.delete_session(&sha)?;
    db.audit(&name, "sign-out", &name, "session ended")?;
    Ok(true)
}
