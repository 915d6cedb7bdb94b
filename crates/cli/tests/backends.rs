//! One store suite, run on every backend: the GeoPackage store always, and the PostGIS store
//! on the throwaway cluster named by `ONEMAP_TEST_PG` (`scripts/test` starts one with
//! `scripts/pg-cluster`; under CI its absence is a failure, not a skip). Each test gets a
//! database of its own.
//!
//! Import → read back is the identity, an import refused by its checks or killed with -9
//! leaves nothing, the audit chain verifies and a changed entry is found, approved plan
//! versions are read-only, and `stats`, `check` and `indicators` print byte-identical JSON on
//! the same demo city in either store.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::onemap;
use onemap_formats::{create, open, read_all, Feature, LayerInfo, ReadOptions, WriteOptions};
use onemap_store::{fixture, ImportRequest, PlanApproval, Store, StoreError};
use onemap_survey::{Kind, Options};
use std::path::{Path, PathBuf};

/// A store under test: where it is, and how to change its rows behind its back.
struct Backend {
    name: &'static str,
    location: String,
    /// The PostGIS database to drop at the end: (admin URL, database).
    pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Some((admin, db)) = &self.pg {
            if let Ok(mut c) = postgres::Client::connect(admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"));
            }
        }
    }
}

impl Backend {
    fn open(&self) -> Box<dyn Store + Send> {
        onemap_store::open(Path::new(&self.location)).unwrap()
    }

    /// Run SQL on the store's database directly (as an intruder would).
    fn sql(&self, gpkg: &str, pg: &str) {
        match &self.pg {
            None => {
                rusqlite::Connection::open(&self.location)
                    .unwrap()
                    .execute_batch(gpkg)
                    .unwrap();
            }
            Some(_) => {
                postgres::Client::connect(&self.location, postgres::NoTls)
                    .unwrap()
                    .batch_execute(pg)
                    .unwrap();
            }
        }
    }

    /// Whether a dataset table exists.
    fn has_table(&self, table: &str) -> bool {
        match &self.pg {
            None => {
                let c = rusqlite::Connection::open(&self.location).unwrap();
                c.query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name = ?1",
                    [table],
                    |r| r.get::<_, i64>(0),
                )
                .unwrap()
                    > 0
            }
            Some(_) => {
                let mut c = postgres::Client::connect(&self.location, postgres::NoTls).unwrap();
                c.query_one(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'onemap' AND table_name = $1",
                    &[&table],
                )
                .unwrap()
                .get::<_, i64>(0)
                    > 0
            }
        }
    }
}

/// The PostGIS cluster of the test run, if any.
fn cluster() -> Option<String> {
    match std::env::var("ONEMAP_TEST_PG") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI runs the store suite on PostGIS too: set ONEMAP_TEST_PG (scripts/test starts a cluster with scripts/pg-cluster)"
            );
            eprintln!("ONEMAP_TEST_PG is not set: the PostGIS half of the suite does not run");
            None
        }
    }
}

/// A fresh store of each backend, named `test`.
fn backends(test: &str) -> Vec<Backend> {
    let dir = tempfile::tempdir().unwrap();
    let mut out = vec![Backend {
        name: "gpkg",
        location: dir.path().join("s.gpkg").display().to_string(),
        pg: None,
        _dir: dir,
    }];
    if let Some(url) = cluster() {
        let (base, _) = url.rsplit_once('/').unwrap();
        let admin = format!("{base}/postgres");
        let db = format!("onemap_test_{test}_{}", std::process::id());
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"))
            .unwrap();
        c.batch_execute(&format!("CREATE DATABASE \"{db}\""))
            .unwrap();
        let location = format!("{base}/{db}");
        let o = onemap(&["store", "init", &location]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out.push(Backend {
            name: "postgis",
            location,
            pg: Some((admin, db)),
            _dir: tempfile::tempdir().unwrap(),
        });
    }
    out
}

fn write(dir: &Path, name: &str, info: &LayerInfo, feats: &[Feature]) -> PathBuf {
    let p = dir.join(name);
    let mut w = create(&p, info, &WriteOptions::default()).unwrap();
    for f in feats {
        w.write_feature(f).unwrap();
    }
    w.finish().unwrap();
    p
}

fn request(kind: Kind, source: &Path, plan: Option<PlanApproval>) -> ImportRequest {
    ImportRequest {
        kind,
        year: Some(2024),
        name: None,
        source: source.to_path_buf(),
        map: vec![],
        options: Options::default(),
        user: "tester".into(),
        plan,
    }
}

fn import(
    s: &mut dyn Store,
    kind: Kind,
    source: &Path,
    plan: Option<PlanApproval>,
) -> onemap_store::ImportOutcome {
    let mut r = open(source, &ReadOptions::default()).unwrap();
    s.import(&request(kind, source, plan), r.as_mut(), &mut |_| {})
        .unwrap()
}

#[test]
fn import_then_read_back_is_the_identity() {
    let src_dir = tempfile::tempdir().unwrap();
    let src = write(
        src_dir.path(),
        "dltb.gpkg",
        &fixture::layer(40),
        &fixture::patches(40),
    );
    let mut reference: Option<Vec<Feature>> = None;
    for b in backends("identity") {
        let mut s = b.open();
        let ds = import(s.as_mut(), Kind::Dltb, &src, None).dataset.unwrap();
        assert_eq!(ds.features, 40, "{}", b.name);
        assert_eq!(s.datasets().unwrap(), vec![ds.clone()], "{}", b.name);
        let mut r = s.features(&ds.id).unwrap();
        let names: Vec<String> = r.info().fields.iter().map(|f| f.name.clone()).collect();
        let back = read_all(r.as_mut()).unwrap();
        assert_eq!(back.len(), 40);
        // Every backend gives the same features, field by field and coordinate by coordinate.
        match &reference {
            None => reference = Some(back),
            Some(first) => {
                for (a, c) in first.iter().zip(&back) {
                    assert_eq!(a.values, c.values, "{}", b.name);
                    assert_eq!(a.geometry, c.geometry, "{}", b.name);
                }
            }
        }
        // Selected fields and rows without geometry.
        let mut n = 0;
        s.for_each_row(&ds.id, &["DLBM", "TBMJ"], &mut |v| {
            assert_eq!(v.len(), 2);
            n += 1;
        })
        .unwrap();
        assert_eq!(n, 40);
        assert!(names.iter().any(|f| f == "DLBM"), "{}: {names:?}", b.name);
    }
}

#[test]
fn a_refused_import_leaves_nothing() {
    let src_dir = tempfile::tempdir().unwrap();
    let mut feats = fixture::patches(20);
    let info = fixture::layer(20);
    let dlbm = info.field_index("DLBM").unwrap();
    feats[7].values[dlbm] = onemap_formats::Value::Null; // D-E03: DLBM is empty
    let src = write(src_dir.path(), "bad.gpkg", &info, &feats);
    for b in backends("refused") {
        let mut s = b.open();
        let out = import(s.as_mut(), Kind::Dltb, &src, None);
        assert!(out.dataset.is_none(), "{}", b.name);
        assert!(
            out.findings.iter().any(|f| f.check == "D-E03"),
            "{}",
            b.name
        );
        assert!(s.datasets().unwrap().is_empty(), "{}", b.name);
        assert!(!b.has_table("dltb_2024"), "{}", b.name);
        assert!(s.audit_log().unwrap().is_empty(), "{}", b.name);
    }
}

#[test]
fn a_killed_import_leaves_nothing() {
    let src_dir = tempfile::tempdir().unwrap();
    let src = write(
        src_dir.path(),
        "big.gpkg",
        &fixture::layer(60_000),
        &fixture::patches(60_000),
    );
    for b in backends("killed") {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_onemap"))
            .args([
                "import",
                src.to_str().unwrap(),
                "--kind",
                "dltb",
                "--year",
                "2024",
                "--store",
                &b.location,
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill it while it streams the features.
        std::thread::sleep(std::time::Duration::from_millis(700));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(!finished, "{}: the import finished before the kill", b.name);
        let s = b.open();
        assert!(s.datasets().unwrap().is_empty(), "{}", b.name);
        assert!(!b.has_table("dltb_2024"), "{}", b.name);
        assert!(s.audit_verify().unwrap().is_ok(), "{}", b.name);
    }
}

#[test]
fn the_audit_chain_verifies_and_finds_a_changed_entry() {
    let src_dir = tempfile::tempdir().unwrap();
    let src = write(
        src_dir.path(),
        "dltb.gpkg",
        &fixture::layer(5),
        &fixture::patches(5),
    );
    for b in backends("audit") {
        let mut s = b.open();
        let ds = import(s.as_mut(), Kind::Dltb, &src, None).dataset.unwrap();
        s.audit("tester", "report", "体检报告", "a report", "00")
            .unwrap();
        s.remove(&ds.id, "tester", Some("wrong year")).unwrap();
        let (n, _) = s.audit_verify().unwrap().unwrap();
        assert_eq!(n, 3, "{}", b.name);
        let actions: Vec<String> = s.events().unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["import", "report", "remove"], "{}", b.name);
        b.sql(
            "UPDATE onemap_audit SET detail = 'nothing happened' WHERE seq = 2",
            "UPDATE onemap.audit SET detail = 'nothing happened' WHERE seq = 2",
        );
        let broken = b.open().audit_verify().unwrap().unwrap_err();
        assert_eq!(broken.seq, 2, "{}: {}", b.name, broken.message);
    }
}

#[test]
fn approved_plan_versions_are_read_only() {
    let src_dir = tempfile::tempdir().unwrap();
    let src = write(
        src_dir.path(),
        "yjjbnt.gpkg",
        &fixture::layer(5),
        &fixture::patches(5),
    );
    let v1 = PlanApproval {
        version: 1,
        approval: "内政字〔2024〕53号".into(),
        approved_on: "2024-03-25".into(),
        authority: "内蒙古自治区人民政府".into(),
        note: "imported".into(),
    };
    for b in backends("versions") {
        let mut s = b.open();
        let ds = import(s.as_mut(), Kind::Yjjbnt, &src, Some(v1.clone()))
            .dataset
            .unwrap();
        let versions = s.plan_versions().unwrap();
        assert_eq!(versions.len(), 1, "{}", b.name);
        assert_eq!(versions[0].layers[0].dataset, ds.id, "{}", b.name);
        // Removing it, or importing the layer into version 1 again: refused.
        match s.remove(&ds.id, "tester", None) {
            Err(StoreError::ReadOnly(m)) => assert!(m.contains("内政字〔2024〕53号"), "{m}"),
            other => panic!("{}: {other:?}", b.name),
        }
        let mut r = open(&src, &ReadOptions::default()).unwrap();
        match s.import(
            &request(Kind::Yjjbnt, &src, Some(v1.clone())),
            r.as_mut(),
            &mut |_| {},
        ) {
            Err(StoreError::ReadOnly(m)) => assert!(m.contains("read-only"), "{m}"),
            other => panic!("{}: {:?}", b.name, other.map(|o| o.dataset)),
        }
        assert_eq!(s.datasets().unwrap().len(), 1, "{}", b.name);
        // Version 2 carries version 1's layers over.
        let v2 = PlanApproval {
            version: 2,
            approved_on: "2026-09-01".into(),
            approval: "内政字〔2026〕12号".into(),
            ..v1.clone()
        };
        let other = write(
            src_dir.path(),
            "czkfbj.gpkg",
            &fixture::layer(3),
            &fixture::patches(3),
        );
        import(s.as_mut(), Kind::Czkfbj, &other, Some(v2));
        let v = s.plan_versions().unwrap();
        assert_eq!(v[1].layers.len(), 2, "{}", b.name);
        assert!(v[1]
            .layers
            .iter()
            .any(|l| l.dataset == ds.id && l.inherited));
    }
}

#[test]
fn statistics_and_the_cache() {
    for b in backends("stats") {
        let mut s = b.open();
        let rows = vec![onemap_store::StatRow {
            year: 2025,
            unit: "150502".into(),
            key: "water_use".into(),
            value: 2.77,
            source: "stats.csv".into(),
        }];
        assert_eq!(s.import_stats(&rows, "stats.csv", "tester").unwrap(), 1);
        // The same key again replaces the figure.
        let mut again = rows.clone();
        again[0].value = 2.8;
        s.import_stats(&again, "stats.csv", "tester").unwrap();
        assert_eq!(s.stats().unwrap(), again, "{}", b.name);
        s.cache_put("k", "v1").unwrap();
        s.cache_put("k", "v2").unwrap();
        assert_eq!(s.cache_get("k").unwrap().as_deref(), Some("v2"));
        assert_eq!(s.cache_get("none").unwrap(), None);
    }
}

#[test]
fn the_analyses_print_the_same_json_on_every_backend() {
    let mut outputs: Vec<(String, Vec<Vec<u8>>)> = Vec::new();
    // The same seed gives byte-identical sources; the project file is the first demo's for
    // all (the review prints its path).
    let mut dirs = Vec::new();
    let mut project: Option<PathBuf> = None;
    for b in backends("analyses") {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        let mut args = vec![
            "demo",
            "--out",
            out,
            "--patches",
            "2500",
            "--years",
            "2024,2025",
            "--seed",
            "9",
        ];
        if b.pg.is_some() {
            args.extend(["--store", &b.location]);
        }
        let o = onemap(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let store = if b.pg.is_some() {
            b.location.clone()
        } else {
            dir.path().join("onemap.gpkg").display().to_string()
        };
        let project = project
            .get_or_insert_with(|| {
                std::fs::read_dir(dir.path().join("source/projects"))
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .find(|p| p.to_string_lossy().contains("永久基本农田"))
                    .unwrap()
            })
            .clone();
        let mut prints = Vec::new();
        for cmd in [
            vec!["stats", "dltb-2025", "--format", "json"],
            vec![
                "stats",
                "dltb-2025-3",
                "--by",
                "township",
                "--format",
                "json",
            ],
            vec!["check", project.to_str().unwrap(), "--format", "json"],
            vec!["indicators", "--format", "json"],
            vec!["indicators", "--year", "2024", "--format", "json"],
            vec![
                "monitor", "--from", "2024", "--to", "2025", "--format", "json",
            ],
            vec![
                "monitor", "--from", "2024", "--to", "2025", "--level", "2", "--format", "json",
            ],
        ] {
            let mut a = cmd.clone();
            a.extend(["--store", &store]);
            let o = onemap(&a);
            assert!(
                o.status.success(),
                "{} {cmd:?}: {}",
                b.name,
                String::from_utf8_lossy(&o.stderr)
            );
            prints.push(o.stdout);
        }
        // PostGIS keeps each survey dataset's class sums at import; without them (a dataset
        // copied in) the database sums them: both give the table of the rows.
        if b.pg.is_some() {
            let mut c = postgres::Client::connect(&b.location, postgres::NoTls).unwrap();
            let kept: i64 = c
                .query_one("SELECT count(*) FROM onemap.class_sums", &[])
                .unwrap()
                .get(0);
            assert!(kept > 0, "class sums kept at import");
            c.batch_execute("DELETE FROM onemap.class_sums").unwrap();
            for (k, id) in [(0, "dltb-2025"), (1, "dltb-2025-3")] {
                let mut a = vec!["stats", id, "--format", "json", "--store", &store];
                if k == 1 {
                    a.extend(["--by", "township"]);
                }
                let o = onemap(&a);
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
                assert!(
                    o.stdout == prints[k],
                    "stats {id} summed by the database differs"
                );
            }
        }
        outputs.push((b.name.to_string(), prints));
        dirs.push(dir);
    }
    let (first, rest) = outputs.split_first().unwrap();
    for (name, prints) in rest {
        for (k, (a, c)) in first.1.iter().zip(prints).enumerate() {
            assert!(a == c, "command {k}: {} and {name} differ", first.0);
        }
    }
}

#[test]
fn users_sessions_and_lock_out() {
    for b in backends("users") {
        let mut s = b.open();
        let u = s
            .user_add(
                "wang",
                &onemap_store::Role::County("150502".into()),
                "correct horse",
                "admin",
            )
            .unwrap();
        assert_eq!(u.role.id(), "county:150502");
        assert!(matches!(
            s.user_add("wang", &onemap_store::Role::City, "correct horse", "admin"),
            Err(StoreError::Mapping(_))
        ));
        let session = s
            .sign_in("wang", "correct horse", 3600, "test")
            .unwrap()
            .unwrap();
        assert_eq!(
            s.session_user(&session.token).unwrap().unwrap().name,
            "wang"
        );
        assert!(s.session_user("forged").unwrap().is_none(), "{}", b.name);
        // Another connection (another server instance) sees the session.
        assert!(b.open().session_user(&session.token).unwrap().is_some());
        assert!(s.sign_out(&session.token).unwrap());
        assert!(
            s.session_user(&session.token).unwrap().is_none(),
            "{}",
            b.name
        );
        for k in 1..=5 {
            let r = s.sign_in("wang", "wrong password", 3600, "test").unwrap();
            match (k, r) {
                (1..=4, Err(onemap_store::SignInError::Wrong)) => {}
                (5, Err(onemap_store::SignInError::Locked(_))) => {}
                (k, r) => panic!("{}: attempt {k}: {r:?}", b.name),
            }
        }
        assert!(matches!(
            s.sign_in("wang", "correct horse", 3600, "test").unwrap(),
            Err(onemap_store::SignInError::Locked(_))
        ));
        // A new password unlocks; a role change ends the sessions.
        s.user_change("wang", Some("battery staple"), None, false, "admin")
            .unwrap();
        let t = s
            .sign_in("wang", "battery staple", 3600, "test")
            .unwrap()
            .unwrap();
        s.user_change(
            "wang",
            None,
            Some(&onemap_store::Role::City),
            false,
            "admin",
        )
        .unwrap();
        assert!(s.session_user(&t.token).unwrap().is_none(), "{}", b.name);
        assert_eq!(s.users().unwrap()[0].role, onemap_store::Role::City);
        s.user_change("wang", None, None, true, "admin").unwrap();
        assert!(s.users().unwrap().is_empty());
        // Every step is in the audit trail, which verifies.
        let log = s.audit_log().unwrap();
        assert!(log.iter().filter(|e| e.action == "sign-in-failed").count() >= 6);
        assert!(s.audit_verify().unwrap().is_ok(), "{}", b.name);
    }
}

#[test]
fn amendments_are_decided_once() {
    for b in backends("amend") {
        let mut s = b.open();
        let a = onemap_store::Amendment {
            id: String::new(),
            status: "proposed".into(),
            base_version: 1,
            proposed_at: String::new(),
            proposed_by: "li".into(),
            source: "changes.geojson".into(),
            sha256: String::new(),
            changes: "{\"type\":\"FeatureCollection\",\"features\":[]}".into(),
            checks: "[]".into(),
            decided_at: None,
            decided_by: None,
            decision: None,
            version: None,
        };
        let p1 = s.propose_amendment(&a).unwrap();
        let p2 = s.propose_amendment(&a).unwrap();
        assert_eq!(
            (p1.id.as_str(), p2.id.as_str()),
            ("A0001", "A0002"),
            "{}",
            b.name
        );
        let d = s
            .decide_amendment("A0001", "approved", "zhao", "内政字〔2026〕12号", Some(2))
            .unwrap();
        assert_eq!(d.version, Some(2));
        assert!(matches!(
            s.decide_amendment("A0001", "rejected", "zhao", "no", None),
            Err(StoreError::ReadOnly(_))
        ));
        s.decide_amendment(
            "A0002",
            "rejected",
            "zhao",
            "突破永久基本农田保护目标",
            None,
        )
        .unwrap();
        let all = s.amendments().unwrap();
        let status: Vec<&str> = all.iter().map(|a| a.status.as_str()).collect();
        assert_eq!(status, ["approved", "rejected"], "{}", b.name);
        let actions: Vec<String> = s
            .audit_log()
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "amend-propose",
                "amend-propose",
                "amend-approve",
                "amend-reject"
            ],
            "{}",
            b.name
        );
    }
}

/// One HTTP request to a local server: (status, body).
fn http(port: u16, method: &str, path: &str, token: Option<&str>, body: &[u8]) -> (u16, String) {
    use std::io::{Read, Write};
    let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        c,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    c.write_all(body).unwrap();
    let mut out = Vec::new();
    c.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text[9..12].parse().unwrap();
    let body = text.split_once("\r\n\r\n").map_or("", |x| x.1).to_string();
    (status, body)
}

/// `onemap serve` on a store and a free port; killed when dropped.
struct Server(std::process::Child, u16);

impl Server {
    fn start(store: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_onemap"))
            .args([
                "serve",
                "--store",
                store,
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--warm-zoom",
                "-1",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        use std::io::BufRead;
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.contains("serving"), "{line}");
        Server(child, port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn several_servers_share_one_store() {
    for b in backends("servers") {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        let mut args = vec![
            "demo",
            "--out",
            out,
            "--patches",
            "1500",
            "--years",
            "2025",
            "--seed",
            "4",
        ];
        if b.pg.is_some() {
            args.extend(["--store", &b.location]);
        }
        let o = onemap(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let store = if b.pg.is_some() {
            b.location.clone()
        } else {
            dir.path().join("onemap.gpkg").display().to_string()
        };
        for (user, role) in [("city", "city"), ("kq", "county:150502")] {
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_onemap"))
                .args(["user", "add", user, "--role", role, "--store", &store])
                .env("ONEMAP_PASSWORD", "correct horse")
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let (a, c) = (Server::start(&store), Server::start(&store));
        // The public: no alerts, no survey.
        assert_eq!(
            http(a.1, "GET", "/api/alerts", None, b"").0,
            401,
            "{}",
            b.name
        );
        // Signed in on one instance, the session works on the other.
        let sign_in = |port: u16, name: &str| {
            let body = format!(r#"{{"name":"{name}","password":"correct horse"}}"#);
            let (st, body) = http(port, "POST", "/api/session", None, body.as_bytes());
            assert_eq!(st, 200, "{body}");
            serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let city = sign_in(a.1, "city");
        let kq = sign_in(a.1, "kq");
        let (st, meta) = http(c.1, "GET", "/api/meta", Some(&kq), b"");
        assert_eq!(st, 200, "{}: {meta}", b.name);
        let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
        assert_eq!(meta["user"]["role"], "county:150502", "{}", b.name);
        assert_eq!(meta["counties"].as_array().unwrap().len(), 1, "{}", b.name);
        // A review on one instance is listed by the other.
        let project = std::fs::read_dir(dir.path().join("source/projects"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().contains("永久基本农田"))
            .unwrap();
        let (st, body) = http(
            a.1,
            "POST",
            "/api/check",
            Some(&city),
            &std::fs::read(&project).unwrap(),
        );
        assert_eq!(st, 200, "{}: {body}", b.name);
        let (st, body) = http(c.1, "GET", "/api/reviews", Some(&city), b"");
        assert_eq!(st, 200);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(!v["features"].as_array().unwrap().is_empty(), "{}", b.name);
        // The county user sees only its county's survey collections.
        let (_, cols) = http(c.1, "GET", "/collections", Some(&kq), b"");
        let cols: serde_json::Value = serde_json::from_str(&cols).unwrap();
        let ids: Vec<&str> = cols["collections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap())
            .filter(|id| id.starts_with("dltb"))
            .collect();
        assert_eq!(ids, ["dltb-2025"], "{}", b.name);
        assert_eq!(
            http(
                c.1,
                "GET",
                "/collections/dltb-2025-2/items/1",
                Some(&kq),
                b""
            )
            .0,
            403,
            "{}",
            b.name
        );
    }
}

#[test]
fn store_copy_round_trip_is_the_identity() {
    // A demo store with a bit of everything: users, a monitoring run, an amendment.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = onemap(&[
        "demo",
        "--out",
        out,
        "--patches",
        "1500",
        "--years",
        "2024,2025",
        "--seed",
        "6",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let gpkg = dir.path().join("onemap.gpkg").display().to_string();
    let o = onemap(&[
        "monitor", "--from", "2024", "--to", "2025", "--store", &gpkg, "--format", "json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_onemap"))
        .args(["user", "add", "wang", "--role", "city", "--store", &gpkg])
        .env("ONEMAP_PASSWORD", "correct horse")
        .output()
        .unwrap();
    assert!(o.status.success());
    let original = onemap_store::open(Path::new(&gpkg))
        .unwrap()
        .dump()
        .unwrap();
    // Through every backend and back into a new GeoPackage.
    for b in backends("copy") {
        let middle = if b.pg.is_some() {
            b.location.clone()
        } else {
            dir.path()
                .join(format!("middle-{}.gpkg", b.name))
                .display()
                .to_string()
        };
        let back = dir
            .path()
            .join(format!("back-{}.gpkg", b.name))
            .display()
            .to_string();
        for (from, to) in [(&gpkg, &middle), (&middle, &back)] {
            let o = onemap(&["store", "copy", from, to]);
            assert!(
                o.status.success(),
                "{}: {}",
                b.name,
                String::from_utf8_lossy(&o.stderr)
            );
            assert!(String::from_utf8_lossy(&o.stdout).contains("verifies to the same head"));
        }
        // A copy into PostGIS keeps the survey's class sums, and they give the table of the
        // rows.
        if b.pg.is_some() {
            let s = onemap_store::open(Path::new(&middle)).unwrap();
            let g = onemap_store::open(Path::new(&gpkg)).unwrap();
            let sums = s
                .class_sums("dltb-2025")
                .unwrap()
                .expect("class sums kept by the copy");
            assert!(!sums.is_empty());
            assert_eq!(
                g.class_sums("dltb-2025").unwrap(),
                None,
                "the GeoPackage reads rows"
            );
            let a = onemap(&["stats", "dltb-2025", "--format", "json", "--store", &gpkg]);
            let c = onemap(&["stats", "dltb-2025", "--format", "json", "--store", &middle]);
            assert!(
                a.status.success() && a.stdout == c.stdout,
                "{}",
                String::from_utf8_lossy(&c.stderr)
            );
        }
        for loc in [&middle, &back] {
            let s = onemap_store::open(Path::new(loc)).unwrap();
            assert_eq!(s.dump().unwrap(), original, "{}: {loc}", b.name);
            for (ds, _) in &original.datasets {
                let a = read_all(
                    onemap_store::open(Path::new(&gpkg))
                        .unwrap()
                        .features(&ds.id)
                        .unwrap()
                        .as_mut(),
                )
                .unwrap();
                let c = read_all(s.features(&ds.id).unwrap().as_mut()).unwrap();
                assert_eq!(a.len(), c.len());
                for (x, y) in a.iter().zip(&c) {
                    assert_eq!(
                        (&x.geometry, &x.values),
                        (&y.geometry, &y.values),
                        "{}",
                        ds.id
                    );
                }
            }
            // The copied users sign in with their passwords.
            let mut s = onemap_store::open(Path::new(loc)).unwrap();
            assert!(s
                .sign_in("wang", "correct horse", 60, "test")
                .unwrap()
                .is_ok());
        }
        // A store that holds anything is not a target.
        let o = onemap(&["store", "copy", &gpkg, &back]);
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains("not empty"));
    }
}
