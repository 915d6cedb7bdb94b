//! The store as the bureau uses it: imports with every check, atomicity, export round trips,
//! removal, statistics inputs.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use onemap_formats::{
    create, open, read_all, Feature, LayerInfo, ReadOptions, Value, WriteOptions,
};
use onemap_store::fixture;
use onemap_store::{GpkgStore, ImportRequest, Store};
use onemap_survey::{Kind, Options, Severity};
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, info: &LayerInfo, feats: &[Feature]) -> PathBuf {
    let p = dir.join(name);
    let mut w = create(&p, info, &WriteOptions::default()).expect("create");
    for f in feats {
        w.write_feature(f).expect("write");
    }
    w.finish().expect("finish");
    p
}

fn request(kind: Kind, source: &Path) -> ImportRequest {
    ImportRequest {
        kind,
        year: Some(2023),
        name: None,
        source: source.to_path_buf(),
        map: vec![],
        options: Options::default(),
        user: "tester".into(),
        plan: None,
    }
}

fn import(store: &mut GpkgStore, kind: Kind, source: &Path) -> onemap_store::ImportOutcome {
    let mut r = open(source, &ReadOptions::default()).expect("open");
    store
        .import(&request(kind, source), r.as_mut(), &mut |_| {})
        .expect("import")
}

fn field(_: &Feature, name: &str) -> usize {
    fixture::fields()
        .iter()
        .position(|x| x.name == name)
        .unwrap_or_else(|| panic!("{name}"))
}

#[test]
fn clean_layer_imports_without_findings() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(
        dir.path(),
        "dltb.shp",
        &fixture::layer(40),
        &fixture::patches(40),
    );
    let mut store = GpkgStore::open(&dir.path().join("s.gpkg")).unwrap();
    let out = import(&mut store, Kind::Dltb, &src);
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    let ds = out.dataset.expect("stored");
    assert_eq!(
        (
            ds.id.as_str(),
            ds.features,
            ds.source_crs.as_str(),
            ds.source.as_str()
        ),
        ("dltb-2023", 40, "EPSG:4528", "dltb.shp")
    );
    assert_eq!(ds.sha256.len(), 64);
    assert_eq!(store.datasets().unwrap(), vec![ds.clone()]);
    // Stored in EPSG:4490 with the canonical fields.
    let mut r = store.features("dltb-2023").unwrap();
    assert_eq!(r.info().crs.map(|c| c.epsg()), Some(4490));
    let names: Vec<String> = r.info().fields.iter().map(|f| f.name.clone()).collect();
    assert_eq!(&names[..4], ["BSM", "DLBM", "DLMC", "ZLDWDM"]);
    assert_eq!(read_all(r.as_mut()).unwrap().len(), 40);
    // A second import of the same kind and year gets its own id; the event log has both.
    let out2 = import(&mut store, Kind::Dltb, &src);
    assert_eq!(out2.dataset.unwrap().id, "dltb-2023-2");
    assert_eq!(
        store
            .events()
            .unwrap()
            .iter()
            .filter(|e| e.action == "import")
            .count(),
        2
    );
}

/// Each check fires on a file with one planted fault, naming the feature and field.
#[test]
fn every_check_fires_on_its_fault() {
    type Mutate = Box<dyn Fn(&mut Vec<Feature>)>;
    type Fault = (&'static str, Mutate);
    let set = |name: &'static str, v: Value| -> Mutate {
        Box::new(move |fs: &mut Vec<Feature>| {
            let k = field(&fs[0], name);
            fs[5].values[k] = v.clone();
        })
    };
    let faults: Vec<Fault> = vec![
        (
            "D-E02",
            Box::new(|fs: &mut Vec<Feature>| fs[5].values[0] = fs[4].values[0].clone()),
        ),
        ("D-E03", set("DLBM", Value::Text("0199".into()))),
        ("D-E04", set("TBMJ", Value::Float(0.0))),
        ("D-E05", set("ZLDWDM", Value::Text("1505021010".into()))),
        ("D-E06", set("KCMJ", Value::Null)),
        (
            "D-E07",
            Box::new(|fs: &mut Vec<Feature>| {
                let k = field(&fs[0], "TBDLMJ");
                if let Value::Float(x) = fs[5].values[k] {
                    fs[5].values[k] = Value::Float(((x * 100.0).round() + 1.0) / 100.0);
                }
            }),
        ),
        ("D-E08", set("KCXS", Value::Float(6.8))),
        ("D-E09", set("KCMJ", Value::Float(1e9))),
        ("D-W01", set("DLMC", Value::Text("旱地".into()))),
        (
            "D-W02",
            Box::new(|fs: &mut Vec<Feature>| {
                // KCMJ and TBDLMJ moved together by 1 m²: still TBDLMJ = TBMJ − KCMJ.
                let (k, d) = (field(&fs[0], "KCMJ"), field(&fs[0], "TBDLMJ"));
                if let (Value::Float(a), Value::Float(b)) =
                    (fs[5].values[k].clone(), fs[5].values[d].clone())
                {
                    fs[5].values[k] = Value::Float(a + 1.0);
                    fs[5].values[d] = Value::Float(b - 1.0);
                }
            }),
        ),
        (
            "D-W03",
            Box::new(|fs: &mut Vec<Feature>| fs[1].values[7] = Value::Float(0.05)),
        ),
        ("D-W04", set("KCDLBM", Value::Null)),
        ("D-W06", set("CZCSXM", Value::Text("203".into()))),
        (
            "D-W10",
            Box::new(|fs: &mut Vec<Feature>| {
                // TBMJ of a non-耕地 patch 2 % off (TBDLMJ follows).
                let (t, d) = (field(&fs[0], "TBMJ"), field(&fs[0], "TBDLMJ"));
                if let Value::Float(x) = fs[1].values[t] {
                    let y = ((x * 1.02) * 100.0).round() / 100.0;
                    fs[1].values[t] = Value::Float(y);
                    fs[1].values[d] = Value::Float(y);
                }
            }),
        ),
        (
            "G-E01",
            Box::new(|fs: &mut Vec<Feature>| {
                if let Some(geo_types::Geometry::Polygon(p)) = &fs[5].geometry {
                    let mut c = p.exterior().0.clone();
                    c.swap(2, 6); // crossing edges
                    fs[5].geometry = Some(geo_types::Geometry::Polygon(geo_types::Polygon::new(
                        geo_types::LineString(c),
                        vec![],
                    )));
                }
            }),
        ),
        (
            "G-W02",
            Box::new(|fs: &mut Vec<Feature>| {
                let mut dup = fs[3].clone();
                dup.values[0] = Value::Text("9999999".into());
                fs.push(dup);
            }),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (id, fault) in faults {
        let mut feats = fixture::patches(24);
        fault(&mut feats);
        let src = write(
            dir.path(),
            &format!("{id}.shp"),
            &fixture::layer(24),
            &feats,
        );
        let mut r = open(&src, &ReadOptions::default()).unwrap();
        let (findings, _, _) =
            onemap_survey::inspect::validate(r.as_mut(), Kind::Dltb, &[], &Options::default())
                .unwrap();
        assert!(
            findings.iter().any(|f| f.check == id),
            "{id} did not fire: {findings:#?}"
        );
        // Consequences of the same fault that are right to report too.
        let companions: &[&str] = match id {
            "D-E04" => &["D-E07", "D-E09", "D-W02", "D-W10"],
            "D-E06" => &["D-E07"],
            "D-E09" => &["D-E07", "D-W02"],
            "G-E01" => &["D-W10"],
            "D-W03" => &["D-W02"],
            _ => &[],
        };
        let others: Vec<_> = findings
            .iter()
            .filter(|f| f.check != id && !companions.contains(&f.check))
            .collect();
        assert!(others.is_empty(), "{id}: unexpected {others:#?}");
        if id == "D-E08" {
            assert!(
                findings
                    .iter()
                    .any(|f| f.message.contains("percentage") && f.message.contains("0.068")),
                "{findings:#?}"
            );
        }
        // Errors refuse the import and leave the store as it was; warnings are stored.
        let mut store = GpkgStore::open(&dir.path().join(format!("{id}.gpkg"))).unwrap();
        let out = import(&mut store, Kind::Dltb, &src);
        let errors = id.contains("-E");
        assert_eq!(out.dataset.is_none(), errors, "{id}");
        if errors {
            assert!(store.datasets().unwrap().is_empty());
            let conn = rusqlite::Connection::open(dir.path().join(format!("{id}.gpkg"))).unwrap();
            let tables: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name LIKE 'dltb%'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            let contents: i64 = conn
                .query_row(
                    "SELECT count(*) FROM gpkg_contents WHERE data_type = 'features'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!((tables, contents), (0, 0), "{id} left a table behind");
        } else {
            let ds = out.dataset.unwrap();
            assert!(store
                .findings(&ds.id)
                .unwrap()
                .iter()
                .any(|f| f.check == id && f.severity == Severity::Warning));
        }
    }
}

#[test]
fn missing_field_and_alias_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let mut info = fixture::layer(8);
    info.fields[1].name = "地类编码".into(); // alias
    info.fields[3].name = "ZL_CODE".into(); // unknown name: needs --map
    let src = write(dir.path(), "a.gpkg", &info, &fixture::patches(8)); // DBF names are cut at 10 bytes
    let mut r = open(&src, &ReadOptions::default()).unwrap();
    let (f, notes, _) =
        onemap_survey::inspect::validate(r.as_mut(), Kind::Dltb, &[], &Options::default()).unwrap();
    assert!(
        f.iter()
            .any(|x| x.check == "D-E01" && x.field.as_deref() == Some("ZLDWDM")),
        "{f:#?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("地类编码") && n.contains("DLBM")),
        "{notes:?}"
    );
    let mut r = open(&src, &ReadOptions::default()).unwrap();
    let map = vec![("ZLDWDM".to_string(), "ZL_CODE".to_string())];
    let (f, _, _) =
        onemap_survey::inspect::validate(r.as_mut(), Kind::Dltb, &map, &Options::default())
            .unwrap();
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn import_export_import_is_the_identity() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(
        dir.path(),
        "dltb.gpkg",
        &fixture::layer(30),
        &fixture::patches(30),
    );
    let mut store = GpkgStore::open(&dir.path().join("s.gpkg")).unwrap();
    let first = import(&mut store, Kind::Dltb, &src).dataset.unwrap();
    let original = read_all(store.features(&first.id).unwrap().as_mut()).unwrap();
    for ext in ["shp", "gpkg", "geojson", "fgb"] {
        // Export as the CLI does (EPSG:4490) and import again.
        let mut r = store.features(&first.id).unwrap();
        let info = r.info().clone();
        let out = dir.path().join(format!("export.{ext}"));
        let mut w = create(&out, &info, &WriteOptions::default()).unwrap();
        while let Some(mut f) = r.read_feature().unwrap() {
            f.fid = None;
            w.write_feature(&f).unwrap();
        }
        w.finish().unwrap();
        let again = import(&mut store, Kind::Dltb, &out);
        assert!(
            again
                .findings
                .iter()
                .all(|f| f.severity == Severity::Warning),
            "{ext}: {:#?}",
            again.findings
        );
        let back = read_all(store.features(&again.dataset.unwrap().id).unwrap().as_mut()).unwrap();
        assert_eq!(back.len(), original.len());
        for (a, b) in original.iter().zip(&back) {
            assert_eq!(a.values, b.values, "{ext}");
            let (ga, gb) = (a.geometry.as_ref().unwrap(), b.geometry.as_ref().unwrap());
            let (mut ca, mut cb) = (Vec::new(), Vec::new());
            onemap_formats::model::for_each_coord(ga, &mut |c| ca.push(c));
            onemap_formats::model::for_each_coord(gb, &mut |c| cb.push(c));
            ca.sort_by(|p, q| p.x.total_cmp(&q.x).then(p.y.total_cmp(&q.y)));
            cb.sort_by(|p, q| p.x.total_cmp(&q.x).then(p.y.total_cmp(&q.y)));
            assert_eq!(ca.len(), cb.len(), "{ext}");
            for (p, q) in ca.iter().zip(&cb) {
                assert!(
                    (p.x - q.x).abs() < 1e-9 && (p.y - q.y).abs() < 1e-9,
                    "{ext}: {p:?} {q:?}"
                );
            }
        }
    }
}

#[test]
fn remove_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(
        dir.path(),
        "dltb.shp",
        &fixture::layer(5),
        &fixture::patches(5),
    );
    let mut store = GpkgStore::open(&dir.path().join("s.gpkg")).unwrap();
    let ds = import(&mut store, Kind::Dltb, &src).dataset.unwrap();
    store.remove(&ds.id, "tester", Some("wrong year")).unwrap();
    assert!(store.datasets().unwrap().is_empty());
    let ev = store.events().unwrap();
    assert_eq!(
        ev.last().map(|e| (e.action.as_str(), e.dataset.as_str())),
        Some(("remove", "dltb-2023"))
    );
    assert!(
        ev.last().unwrap().detail.contains("wrong year")
            && ev.last().unwrap().detail.contains(&ds.sha256)
    );
    assert!(store.remove(&ds.id, "tester", None).is_err());
    // The file is still a GeoPackage without the layer.
    let conn = rusqlite::Connection::open(dir.path().join("s.gpkg")).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM gpkg_contents WHERE data_type = 'features'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0);
}
