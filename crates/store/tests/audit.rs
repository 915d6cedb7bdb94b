//! The audit trail: every write appends a chained entry; `audit_verify` passes on a clean store
//! and names the entry after an entry is altered, removed or reordered directly in SQLite.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use onemap_formats::{create, open, ReadOptions, WriteOptions};
use onemap_store::audit::{entry_hash, verify, AuditEntry, GENESIS};
use onemap_store::fixture;
use onemap_store::{GpkgStore, ImportRequest, StatRow, Store};
use onemap_survey::{Kind, Options};
use proptest::prelude::*;
use std::path::Path;

/// A store with two imports, a removal, statistics and a report entry: six entries.
fn store(dir: &Path) -> GpkgStore {
    let src = dir.join("dltb.shp");
    let mut w = create(&src, &fixture::layer(20), &WriteOptions::default()).unwrap();
    for f in fixture::patches(20) {
        w.write_feature(&f).unwrap();
    }
    w.finish().unwrap();
    let mut s = GpkgStore::open(&dir.join("s.gpkg")).unwrap();
    for year in [2023, 2024, 2025] {
        let mut r = open(&src, &ReadOptions::default()).unwrap();
        let req = ImportRequest {
            kind: Kind::Dltb,
            year: Some(year),
            name: None,
            source: src.clone(),
            map: vec![],
            options: Options::default(),
            user: "张三".into(),
            plan: None,
        };
        assert!(s
            .import(&req, r.as_mut(), &mut |_| {})
            .unwrap()
            .dataset
            .is_some());
    }
    s.remove("dltb-2023", "李四", Some("重复入库")).unwrap();
    let row = StatRow {
        year: 2024,
        unit: "150500".into(),
        key: "water_use".into(),
        value: 19.8,
        source: "s.csv".into(),
    };
    s.import_stats(&[row], "s.csv", "王五").unwrap();
    s.audit(
        "王五",
        "report",
        "体检报告 2024",
        "年度体检报告 HTML",
        &onemap_store::audit::digest(b"<html>"),
    )
    .unwrap();
    s
}

fn sql(dir: &Path, q: &str) {
    let c = rusqlite::Connection::open(dir.join("s.gpkg")).unwrap();
    c.execute_batch(q).unwrap();
}

fn verdict(dir: &Path) -> Result<(usize, String), onemap_store::AuditBreak> {
    GpkgStore::open(&dir.join("s.gpkg"))
        .unwrap()
        .audit_verify()
        .unwrap()
}

#[test]
fn every_write_is_an_entry_and_a_clean_store_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let log = s.audit_log().unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "import",
            "import",
            "import",
            "remove",
            "stats-import",
            "report"
        ]
    );
    assert_eq!(log[3].actor, "李四");
    assert!(log[3].detail.contains("重复入库"));
    assert_eq!(log[0].prev, GENESIS);
    assert!(log.windows(2).all(|w| w[1].prev == w[0].hash));
    // The import's digest is the dataset's source hash.
    let ds = s.dataset("dltb-2024").unwrap();
    assert_eq!(log[1].digest, ds.sha256);
    let (n, head) = verdict(dir.path()).unwrap();
    assert_eq!((n, head), (6, log[5].hash.clone()));
    // The event log reads the same entries.
    assert_eq!(s.events().unwrap().len(), 6);
}

#[test]
fn an_altered_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    drop(store(dir.path()));
    sql(
        dir.path(),
        "UPDATE onemap_audit SET actor = '赵六' WHERE seq = 4",
    );
    let b = verdict(dir.path()).unwrap_err();
    assert_eq!(b.seq, 4);
    assert!(b.message.contains("was changed"), "{}", b.message);
    // Re-hashing the altered entry moves the break to the next link.
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let mut e = s.audit_log().unwrap()[3].clone();
    drop(s);
    e.detail = "removed nothing".into();
    let h = entry_hash(&e);
    sql(
        dir.path(),
        &format!("UPDATE onemap_audit SET detail = 'removed nothing', hash = '{h}' WHERE seq = 4"),
    );
    let b = verdict(dir.path()).unwrap_err();
    assert_eq!(b.seq, 5, "{}", b.message);
    assert!(
        b.message.contains("does not follow entry 4"),
        "{}",
        b.message
    );
}

#[test]
fn a_removed_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    drop(store(dir.path()));
    sql(dir.path(), "DELETE FROM onemap_audit WHERE seq = 3");
    let b = verdict(dir.path()).unwrap_err();
    assert_eq!(b.seq, 3);
    assert!(b.message.contains("entry 3 is missing"), "{}", b.message);
    // Removing the last entries leaves a valid chain, but a dataset without its import entry
    // is found.
    let dir = tempfile::tempdir().unwrap();
    drop(store(dir.path()));
    sql(dir.path(), "DELETE FROM onemap_audit WHERE seq >= 3");
    let b = verdict(dir.path()).unwrap_err();
    assert!(b.message.contains("dltb-2025"), "{}", b.message);
}

#[test]
fn reordered_entries_are_named() {
    let dir = tempfile::tempdir().unwrap();
    drop(store(dir.path()));
    // Swap entries 2 and 3 keeping the positions.
    sql(
        dir.path(),
        "UPDATE onemap_audit SET seq = -2 WHERE seq = 2;
         UPDATE onemap_audit SET seq = 2 WHERE seq = 3;
         UPDATE onemap_audit SET seq = 3 WHERE seq = -2;",
    );
    let b = verdict(dir.path()).unwrap_err();
    assert_eq!(b.seq, 2, "{}", b.message);
}

fn chain(n: usize) -> Vec<AuditEntry> {
    let mut prev = GENESIS.to_string();
    (0..n)
        .map(|k| {
            let mut e = AuditEntry {
                seq: k as i64 + 1,
                at: format!("2026-11-29T00:00:{:02}Z", k % 60),
                actor: format!("u{}", k % 3),
                action: "import".into(),
                object: format!("o{k}"),
                detail: String::new(),
                digest: String::new(),
                prev: prev.clone(),
                hash: String::new(),
            };
            e.hash = entry_hash(&e);
            prev = e.hash.clone();
            e
        })
        .collect()
}

proptest! {
    /// Any change to one field of one entry, any removal and any swap is found at or before
    /// that entry.
    #[test]
    fn any_tampering_is_found(n in 2usize..40, at in 0usize..40, how in 0u8..6) {
        let mut c = chain(n);
        prop_assert!(verify(&c).is_ok());
        let k = at % n;
        match how {
            0 => c[k].actor.push('x'),
            1 => c[k].detail = "changed".into(),
            2 => c[k].digest = "00".into(),
            3 => { c.remove(k); }
            4 => { let j = (k + 1) % n; c.swap(k, j); }
            _ => c[k].at = "2020-01-01T00:00:00Z".into(),
        }
        if how == 3 && k == n - 1 {
            // Removing the last entry leaves a valid, shorter chain (the head hash or the
            // datasets cross-check finds it).
            prop_assert!(verify(&c).is_ok());
        } else {
            let b = verify(&c).unwrap_err();
            prop_assert!(b.seq as usize <= k + 2, "{} at {}", b.message, k);
        }
    }
}

/// `import_all` is one transaction: a failing layer leaves nothing of the others.
#[test]
fn import_all_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.join_shp();
    let mut s = GpkgStore::open(&dir.path().join("s.gpkg")).unwrap();
    let req = |year: i32, kind: Kind| ImportRequest {
        kind,
        year: Some(year),
        name: None,
        source: src.clone(),
        map: vec![],
        options: Options::default(),
        user: "张三".into(),
        plan: None,
    };
    let reader = || open(&src, &ReadOptions::default()).unwrap();
    // The second job reads the survey file as a 行政区 layer, which it is not: refused (or an
    // error), and the first, which alone would import, is not stored either.
    let mut jobs = vec![
        (req(2024, Kind::Dltb), reader()),
        (req(2024, Kind::Xzq), reader()),
    ];
    if let Ok(outs) = s.import_all(&mut jobs) {
        assert_eq!(outs.len(), 2);
        assert!(outs[0].dataset.is_some() && outs[1].dataset.is_none());
    }
    assert!(s.datasets().unwrap().is_empty());
    assert!(s.audit_log().unwrap().is_empty());
    let mut jobs = vec![
        (req(2024, Kind::Dltb), reader()),
        (req(2025, Kind::Dltb), reader()),
    ];
    let outs = s.import_all(&mut jobs).unwrap();
    assert!(outs.iter().all(|o| o.dataset.is_some()));
    assert_eq!(s.datasets().unwrap().len(), 2);
    assert!(s.audit_verify().unwrap().is_ok());
}

trait JoinShp {
    fn join_shp(&self) -> std::path::PathBuf;
}

impl JoinShp for tempfile::TempDir {
    /// A 20-patch survey shapefile in the directory.
    fn join_shp(&self) -> std::path::PathBuf {
        let src = self.path().join("dltb.shp");
        let mut w = create(&src, &fixture::layer(20), &WriteOptions::default()).unwrap();
        for f in fixture::patches(20) {
            w.write_feature(&f).unwrap();
        }
        w.finish().unwrap();
        src
    }
}

#[test]
fn reviews_are_kept_by_county_and_audited() {
    use onemap_store::ReviewRecord;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.gpkg");
    let mut s = GpkgStore::open(&path).unwrap();
    let rec = |actor: &str, name: &str, county: Option<&str>| ReviewRecord {
        actor: actor.into(),
        name: name.into(),
        verdict: "prohibited".into(),
        county: county.map(String::from),
        feature: format!(
            "{{\"type\":\"Feature\",\"properties\":{{\"name\":\"{name}\"}},\"geometry\":null}}"
        ),
    };
    let z = "zhang（Web）";
    s.record_reviews(&[
        rec(z, "a", Some("150502")),
        rec(z, "b", Some("150521")),
        rec(z, "c", None),
    ])
    .unwrap();
    s.record_reviews(&[rec("li（Web）", "d", Some("150502"))])
        .unwrap();
    // Another handle (another server instance) sees them, oldest first.
    let t = GpkgStore::open(&path).unwrap();
    let all = t.reviews(None, 10).unwrap();
    let names: Vec<String> = all
        .iter()
        .map(|r| {
            serde_json::from_str::<serde_json::Value>(&r.feature).unwrap()["properties"]["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    assert_eq!(all[3].actor, "li（Web）");
    let mine = t.reviews(Some("150502"), 10).unwrap();
    assert_eq!(mine.len(), 2);
    assert!(mine.iter().all(|r| r.county.as_deref() == Some("150502")));
    let latest = t.reviews(None, 2).unwrap();
    assert_eq!(latest.iter().map(|r| r.id).collect::<Vec<_>>(), [3, 4]);
    // One audit entry per parcel, with the feature's digest; the chain verifies.
    let log = t.audit_log().unwrap();
    let reviews: Vec<_> = log.iter().filter(|e| e.action == "review").collect();
    assert_eq!(reviews.len(), 4);
    assert_eq!(
        reviews[0].digest,
        onemap_store::audit::digest(all[0].feature.as_bytes())
    );
    assert!(t.audit_verify().unwrap().is_ok());
}
