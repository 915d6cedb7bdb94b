//! Users, roles and sessions: Argon2id hashes, sessions by token, lock-out after repeated
//! failures, and every change and sign-in in the audit trail.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use onemap_store::users::{MAX_FAILURES, MIN_PASSWORD};
use onemap_store::{GpkgStore, Role, SignInError, Store};

#[test]
fn roles_parse() {
    assert_eq!(Role::parse("admin"), Some(Role::Admin));
    assert_eq!(
        Role::parse("county:150502"),
        Some(Role::County("150502".into()))
    );
    for bad in ["county:1505", "county:", "root", "public", "county:15050a"] {
        assert_eq!(Role::parse(bad), None, "{bad}");
    }
    assert_eq!(Role::County("150521".into()).id(), "county:150521");
}

#[test]
fn users_sessions_and_lock_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.gpkg");
    let mut s = GpkgStore::open(&path).unwrap();
    let u = s
        .user_add("zhang", &Role::City, "correct horse", "admin")
        .unwrap();
    assert_eq!(u.role, Role::City);
    s.user_add(
        "kq",
        &Role::County("150502".into()),
        "battery staple",
        "admin",
    )
    .unwrap();
    // Refusals: a duplicate, a short password, a name with spaces.
    assert!(s
        .user_add("zhang", &Role::Admin, "another one", "admin")
        .is_err());
    assert!(s
        .user_add("li", &Role::Admin, &"x".repeat(MIN_PASSWORD - 1), "admin")
        .is_err());
    assert!(s
        .user_add("li si", &Role::Admin, "long enough", "admin")
        .is_err());
    // The hash is Argon2id, never the password.
    let c = rusqlite::Connection::open(&path).unwrap();
    let phc: String = c
        .query_row(
            "SELECT password FROM onemap_users WHERE name = 'zhang'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(phc.starts_with("$argon2id$"), "{phc}");
    assert!(!phc.contains("correct horse"));

    // A session: the token finds the user; signing out ends it.
    let sess = s
        .sign_in("zhang", "correct horse", 3600, "test")
        .unwrap()
        .unwrap();
    assert_eq!(sess.token.len(), 64);
    assert_eq!(s.session_user(&sess.token).unwrap().unwrap().name, "zhang");
    assert_eq!(s.session_user("not a token").unwrap(), None);
    let stored: String = c
        .query_row("SELECT token_sha256 FROM onemap_sessions", [], |r| r.get(0))
        .unwrap();
    assert_ne!(stored, sess.token, "only the token's hash is kept");
    assert!(s.sign_out(&sess.token).unwrap());
    assert_eq!(s.session_user(&sess.token).unwrap(), None);
    // An expired session is no session.
    let old = s
        .sign_in("zhang", "correct horse", -1, "test")
        .unwrap()
        .unwrap();
    assert_eq!(s.session_user(&old.token).unwrap(), None);

    // Wrong passwords: the fifth in a row locks the account, even against the right one.
    assert_eq!(
        s.sign_in("nobody", "whatever1", 60, "test")
            .unwrap()
            .unwrap_err(),
        SignInError::Wrong
    );
    for k in 1..MAX_FAILURES {
        assert_eq!(
            s.sign_in("kq", "wrong pass", 60, "test")
                .unwrap()
                .unwrap_err(),
            SignInError::Wrong,
            "{k}"
        );
    }
    assert!(matches!(
        s.sign_in("kq", "wrong pass", 60, "test").unwrap(),
        Err(SignInError::Locked(_))
    ));
    assert!(matches!(
        s.sign_in("kq", "battery staple", 60, "test").unwrap(),
        Err(SignInError::Locked(_))
    ));
    assert!(s
        .users()
        .unwrap()
        .iter()
        .any(|u| u.name == "kq" && u.locked_until.is_some()));
    // An administrator's new password unlocks it; a role change and removal end sessions.
    s.user_change("kq", Some("new battery"), None, false, "admin")
        .unwrap();
    let k = s.sign_in("kq", "new battery", 60, "test").unwrap().unwrap();
    s.user_change(
        "kq",
        None,
        Some(&Role::County("150521".into())),
        false,
        "admin",
    )
    .unwrap();
    assert_eq!(s.session_user(&k.token).unwrap(), None);
    let k = s.sign_in("kq", "new battery", 60, "test").unwrap().unwrap();
    assert_eq!(
        s.session_user(&k.token).unwrap().unwrap().role,
        Role::County("150521".into())
    );
    s.user_change("kq", None, None, true, "admin").unwrap();
    assert_eq!(s.session_user(&k.token).unwrap(), None);
    assert!(s.user_change("kq", None, None, true, "admin").is_err());

    // Everything is in the trail, and the trail verifies.
    let actions: Vec<String> = s
        .audit_log()
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "user-add",
        "sign-in",
        "sign-out",
        "sign-in-failed",
        "user-password",
        "user-role",
        "user-remove",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    assert!(s.audit_verify().unwrap().is_ok());
}
