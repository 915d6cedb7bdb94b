//! Every reader fuzzed: arbitrary bytes and mutations of valid files (flipped bytes, truncation,
//! spliced garbage) must give a result or an error, never a panic.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use onemap_formats::{geojson::GeoJsonReader, open, read_all, txt, wkb, ReadOptions};
use onemap_geodesy::crs::Crs;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/samples")
            .join(name),
    )
    .expect("sample")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Apply mutations: (position fraction, new byte) pairs, then an optional truncation.
fn mutate(mut b: Vec<u8>, edits: &[(f64, u8)], cut: Option<f64>) -> Vec<u8> {
    for &(p, v) in edits {
        if !b.is_empty() {
            let i = ((b.len() - 1) as f64 * p) as usize;
            b[i] = v;
        }
    }
    if let Some(c) = cut {
        let n = (b.len() as f64 * c) as usize;
        b.truncate(n);
    }
    b
}

fn edits() -> impl Strategy<Value = Vec<(f64, u8)>> {
    prop::collection::vec((0.0f64..1.0, any::<u8>()), 0..12)
}

/// Read every feature of a file, ignoring the outcome: only a panic fails.
fn drain(path: &Path, opts: &ReadOptions) {
    if let Ok(mut r) = open(path, opts) {
        let _ = read_all(r.as_mut());
    }
}

/// A valid file of each format, made by onemap itself from example 1.
fn valid_files(dir: &Path) -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/samples/example2.txt");
    let mut r = open(&src, &ReadOptions::default()).expect("open");
    let info = r.info().clone();
    let feats = read_all(r.as_mut()).expect("read");
    ["gpkg", "fgb", "shp"]
        .iter()
        .map(|ext| {
            let p = dir.join(format!("v.{ext}"));
            let mut w = onemap_formats::create(&p, &info, &Default::default()).expect("create");
            for f in &feats {
                w.write_feature(f).expect("write");
            }
            w.finish().expect("finish");
            p
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn txt_arbitrary_bytes(b in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = txt::parse(&b);
    }

    #[test]
    fn txt_mutated(e in edits(), cut in prop::option::of(0.0f64..1.0), which in 0usize..2) {
        let base = sample(if which == 0 { "example1.txt" } else { "example2.txt" });
        let _ = txt::parse(&mutate(base, &e, cut));
    }

    #[test]
    fn txt_mutated_lines(lines in prop::collection::vec(0usize..25, 0..4), text in "[0-9J,@.\\-: ]{0,30}") {
        let base = String::from_utf8(sample("example1.txt")).expect("utf8");
        let mut l: Vec<String> = base.lines().map(str::to_string).collect();
        for &k in &lines {
            if k < l.len() {
                l[k] = text.clone();
            }
        }
        let _ = txt::parse(l.join("\n").as_bytes());
    }

    #[test]
    fn geojson_arbitrary(b in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = GeoJsonReader::from_bytes(Path::new("fuzz.geojson"), &b);
    }

    #[test]
    fn geojson_structured(s in r#"\{"type":"(FeatureCollection|Feature|Polygon|Point)","(features|geometry|coordinates)":[\[\]\{\}0-9.,"a-zA-Z:\-]{0,80}\}"#) {
        let _ = GeoJsonReader::from_bytes(Path::new("fuzz.geojson"), s.as_bytes());
    }

    #[test]
    fn wkb_and_gpkg_blobs(b in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = wkb::decode(&b);
        let _ = wkb::parse_gpkg_blob(&b);
    }

    #[test]
    fn wkt_arbitrary(s in "[A-Z_\\[\\]\",0-9. a-z]{0,120}") {
        let _ = Crs::from_wkt(&s);
        let _ = Crs::parse(&s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn binary_formats_mutated(e in edits(), cut in prop::option::of(0.0f64..1.0), which in 0usize..5) {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = valid_files(dir.path());
        let (target, open_as) = match which {
            0 => (files[0].clone(), files[0].clone()),
            1 => (files[1].clone(), files[1].clone()),
            2 => (files[2].clone(), files[2].clone()),
            3 => (files[2].with_extension("dbf"), files[2].clone()),
            _ => (files[2].with_extension("shx"), files[2].clone()),
        };
        let b = std::fs::read(&target).expect("read");
        std::fs::write(&target, mutate(b, &e, cut)).expect("write");
        drain(&open_as, &ReadOptions::default());
    }

    #[test]
    fn gbk_shapefile_mutated(e in edits(), dbf in any::<bool>()) {
        let dir = tempfile::tempdir().expect("tempdir");
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
            std::fs::copy(fixture(&format!("gbk_dltb.{ext}")), dir.path().join(format!("g.{ext}"))).expect("copy");
        }
        let target = dir.path().join(if dbf { "g.dbf" } else { "g.shp" });
        let b = std::fs::read(&target).expect("read");
        std::fs::write(&target, mutate(b, &e, None)).expect("write");
        drain(&dir.path().join("g.shp"), &ReadOptions::default());
    }
}

#[test]
fn arbitrary_files_under_every_extension() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut seed = 7u64;
    for round in 0..200 {
        let len = (round * 37) % 700;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 33) as u8
            })
            .collect();
        for ext in ["txt", "shp", "gpkg", "geojson", "fgb"] {
            let p = dir.path().join(format!("x{round}.{ext}"));
            std::fs::write(&p, &bytes).expect("write");
            drain(
                &p,
                &ReadOptions {
                    crs: Some(Crs::Cgcs2000),
                    ..Default::default()
                },
            );
        }
    }
}
