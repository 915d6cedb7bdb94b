//! `onemap audit log` and `onemap audit verify` on a demo store: every write of the demo (its
//! imports, statistics) and of the commands (monitoring, reports) is an entry; tampering with
//! an entry in SQLite makes verify fail naming it.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{demo, json, onemap};

#[test]
fn audit_log_and_verify() {
    let dir = demo("1500", "2024,2025", "5");
    let store = dir.path().join("onemap.gpkg");
    let store = store.to_str().unwrap();
    let out = dir.path().join("体检.html");
    let o = onemap(&[
        "health-check",
        "--store",
        store,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = onemap(&[
        "monitor", "--store", store, "--from", "2024", "--to", "2025",
    ]);
    assert!(o.status.success());

    let log = json(&onemap(&[
        "audit", "log", "--store", store, "--format", "json",
    ]));
    let log = log.as_array().unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    let datasets = json(&onemap(&["datasets", "--store", store, "--format", "json"]));
    let n = datasets.as_array().map_or(0, Vec::len);
    assert!(n > 0);
    assert_eq!(actions.iter().filter(|a| **a == "import").count(), n);
    assert!(actions.contains(&"stats-import"));
    let report = log.iter().find(|e| e["action"] == "report").unwrap();
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(
        report["digest"].as_str().unwrap(),
        onemap_store::audit::digest(&bytes),
        "the report entry carries the digest of the file written"
    );
    assert_eq!(actions.last(), Some(&"monitor"));

    let o = onemap(&["audit", "verify", "--store", store]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        said.contains(&format!("{} entries verified", log.len())),
        "{said}"
    );
    let head = log.last().unwrap()["hash"].as_str().unwrap().to_string();
    assert!(said.contains(&head));
    let o = onemap(&["audit", "verify", "--store", store, "--head", &head]);
    assert!(o.status.success());

    // Alter entry 3 directly in SQLite: verify fails and names it.
    let c = rusqlite::Connection::open(store).unwrap();
    c.execute(
        "UPDATE onemap_audit SET detail = detail || '.' WHERE seq = 3",
        [],
    )
    .unwrap();
    let o = onemap(&["audit", "verify", "--store", store]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("broken at entry 3"), "{err}");
    c.execute(
        "UPDATE onemap_audit SET detail = substr(detail, 1, length(detail) - 1) WHERE seq = 3",
        [],
    )
    .unwrap();
    assert!(onemap(&["audit", "verify", "--store", store])
        .status
        .success());
    // Remove the last entry: the chain is still whole, but not the one with the known head.
    c.execute(
        "DELETE FROM onemap_audit WHERE seq = (SELECT max(seq) FROM onemap_audit)",
        [],
    )
    .unwrap();
    assert!(onemap(&["audit", "verify", "--store", store])
        .status
        .success());
    let o = onemap(&["audit", "verify", "--store", store, "--head", &head]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not in the chain"));
}
