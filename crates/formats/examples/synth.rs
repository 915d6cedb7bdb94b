//! Benchmark data: `cargo run --release -p onemap-formats --example synth -- N DIR`
//! writes N DLTB-like patches (≈30 vertices each, CGCS2000 3° zone 40, GBK attributes) as
//! `DIR/synth.shp` and `DIR/synth.gpkg`. Patches tile a grid without overlaps; each is a
//! jittered 30-gon inside its cell. Deterministic for a given N.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use geo_types::{Geometry, LineString, Polygon};
use onemap_formats::{
    create, Feature, Field, FieldType, GeometryType, LayerInfo, TextEncoding, Value, WriteOptions,
};
use onemap_geodesy::crs::Crs;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .expect("usage: synth N DIR");
    let dir = PathBuf::from(args.next().expect("usage: synth N DIR"));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let info = LayerInfo {
        name: "synth".into(),
        crs: Some(Crs::from_epsg(4528).expect("crs")),
        fields: vec![
            Field::new("BSM", FieldType::Int),
            Field::new("DLBM", FieldType::Text),
            Field::new("DLMC", FieldType::Text),
            Field::new("ZLDWDM", FieldType::Text),
            Field {
                name: "TBMJ".into(),
                ty: FieldType::Float,
                width: 0,
                decimals: 2,
            },
            Field {
                name: "KCXS".into(),
                ty: FieldType::Float,
                width: 0,
                decimals: 4,
            },
        ],
        geometry_type: GeometryType::Polygon,
        feature_count: Some(n),
    };
    let classes = [
        ("0101", "水田"),
        ("0103", "旱地"),
        ("0301", "乔木林地"),
        ("0404", "其他草地"),
        ("0702", "农村宅基地"),
        ("1101", "河流水面"),
    ];
    let side = (n as f64).sqrt().ceil() as u64;
    let cell = 120.0;
    for ext in ["shp", "gpkg"] {
        let t = Instant::now();
        let path = dir.join(format!("synth.{ext}"));
        let enc = if ext == "shp" {
            TextEncoding::Gbk
        } else {
            TextEncoding::Utf8
        };
        let mut w = create(
            &path,
            &info,
            &WriteOptions {
                encoding: Some(enc),
                ..Default::default()
            },
        )
        .expect("create");
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for i in 0..n {
            let (cx, cy) = (
                40_400_000.0 + (i % side) as f64 * cell + 60.0,
                4_750_000.0 + (i / side) as f64 * cell + 60.0,
            );
            let mut ring: Vec<(f64, f64)> = (0..29)
                .map(|k| {
                    let a = -std::f64::consts::TAU * k as f64 / 29.0;
                    let r = 35.0 + 20.0 * rnd();
                    (
                        ((cx + r * a.cos()) * 1000.0).round() / 1000.0,
                        ((cy + r * a.sin()) * 1000.0).round() / 1000.0,
                    )
                })
                .collect();
            ring.push(ring[0]);
            let (code, name) = classes[(i % 6) as usize];
            let f = Feature {
                fid: None,
                geometry: Some(Geometry::Polygon(Polygon::new(
                    LineString::from(ring),
                    vec![],
                ))),
                values: vec![
                    Value::Int(i as i64 + 1),
                    Value::Text(code.into()),
                    Value::Text(name.into()),
                    Value::Text(format!("150502{:03}{:03}0000000", i % 20, i % 300)),
                    Value::Float(((3000.0 + 2000.0 * rnd()) * 100.0).round() / 100.0),
                    Value::Float(if code.starts_with("01") { 0.068 } else { 0.0 }),
                ],
            };
            w.write_feature(&f).expect("write");
        }
        w.finish().expect("finish");
        eprintln!(
            "wrote {n} patches to {} in {:.2} s",
            path.display(),
            t.elapsed().as_secs_f64()
        );
    }
}
