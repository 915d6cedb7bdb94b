//! `onemap user` on a store: add, list, passwd, role, remove; passwords only on stdin or in
//! ONEMAP_PASSWORD; every change in the audit trail.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{json, onemap};
use std::io::Write;
use std::process::{Command, Stdio};

fn with_stdin(args: &[&str], input: &str) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_onemap"))
        .args(args)
        .env_remove("ONEMAP_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that refuses its arguments exits without reading stdin: the write may then
    // meet a closed pipe, which is not the test's concern (the exit status is).
    if let Err(e) = c.stdin.take().unwrap().write_all(input.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    c.wait_with_output().unwrap()
}

#[test]
fn users_are_managed_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.gpkg");
    let store = store.to_str().unwrap();
    let o = with_stdin(
        &[
            "user",
            "add",
            "zhang",
            "--role",
            "city",
            "--password-stdin",
            "--store",
            store,
        ],
        "correct horse\n",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = with_stdin(
        &[
            "user",
            "add",
            "kq",
            "--role",
            "county:150502",
            "--password-stdin",
            "--store",
            store,
        ],
        "battery staple\n",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Bad role, short password, no password source: refused.
    let o = with_stdin(
        &[
            "user",
            "add",
            "x",
            "--role",
            "county:15",
            "--password-stdin",
            "--store",
            store,
        ],
        "long enough\n",
    );
    assert_eq!(o.status.code(), Some(2));
    let o = with_stdin(
        &[
            "user",
            "add",
            "x",
            "--role",
            "admin",
            "--password-stdin",
            "--store",
            store,
        ],
        "short\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("shorter than 8"));
    let o = with_stdin(
        &["user", "add", "x", "--role", "admin", "--store", store],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
    let users = json(&onemap(&[
        "user", "list", "--store", store, "--format", "json",
    ]));
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["kq", "zhang"]);
    assert!(!users.to_string().contains("argon2"), "no hashes listed");
    let o = onemap(&["user", "role", "kq", "county:150521", "--store", store]);
    assert!(o.status.success());
    let o = with_stdin(
        &["user", "passwd", "kq", "--password-stdin", "--store", store],
        "a new password\n",
    );
    assert!(o.status.success());
    let o = onemap(&["user", "remove", "kq", "--store", store]);
    assert!(o.status.success());
    let log = json(&onemap(&[
        "audit", "log", "--store", store, "--format", "json",
    ]));
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "user-add",
            "user-add",
            "user-role",
            "user-password",
            "user-remove"
        ]
    );
    assert!(onemap(&["audit", "verify", "--store", store])
        .status
        .success());
}

#[test]
fn a_county_role_names_a_county_of_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let o = onemap(&[
        "demo",
        "--out",
        out.to_str().unwrap(),
        "--patches",
        "300",
        "--years",
        "2025",
        "--seed",
        "3",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let store = out.join("onemap.gpkg");
    let store = store.to_str().unwrap();
    let add = |role: &str| {
        with_stdin(
            &[
                "user",
                "add",
                "u",
                "--role",
                role,
                "--password-stdin",
                "--store",
                store,
            ],
            "correct horse\n",
        )
    };
    let o = add("county:150599");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no county 150599") && err.contains("150502 科尔沁区"),
        "{err}"
    );
    let o = add("county:150502");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = onemap(&["user", "role", "u", "county:150000", "--store", store]);
    assert_eq!(o.status.code(), Some(2));
}
