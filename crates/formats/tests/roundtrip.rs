//! Write → read is the identity in every format (geometry, attributes, CRS), and the `sandiao`
//! area of a polygon does not change; GBK shapefiles read without mojibake.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use geo_types::{Geometry, LineString, MultiPolygon, Polygon};
use onemap_formats::model::polygon_rings;
use onemap_formats::{
    create, open, read_all, Feature, Field, FieldType, FormatError, GeometryType, LayerInfo,
    ReadOptions, TextEncoding, Value, WriteOptions,
};
use onemap_geodesy::crs::Crs;
use onemap_geodesy::sandiao;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn area_cents(crs: Crs, g: &Geometry<f64>) -> i64 {
    let frame = crs.area_frame().expect("frame");
    sandiao::to_cents(sandiao::feature_area(
        frame,
        polygon_rings(g)
            .into_iter()
            .map(|(r, h)| (r.0.iter().map(|c| [c.x, c.y]), h)),
    ))
}

/// Polygons as multipolygons with closed rings (formats differ in how they hold single parts).
fn normal(g: &Geometry<f64>) -> MultiPolygon<f64> {
    let close = |l: &LineString<f64>| {
        let mut c = l.0.clone();
        if c.first() != c.last() {
            c.push(c[0]);
        }
        c
    };
    let polys = match g {
        Geometry::Polygon(p) => vec![p.clone()],
        Geometry::MultiPolygon(m) => m.0.clone(),
        other => panic!("not polygonal: {other:?}"),
    };
    MultiPolygon(
        polys
            .iter()
            .map(|p| {
                Polygon::new(
                    LineString(close(p.exterior())),
                    p.interiors().iter().map(|h| LineString(close(h))).collect(),
                )
            })
            .collect(),
    )
}

/// Ring vertices as a set-like sorted list (orientation and start may change in some formats).
fn vertex_multiset(g: &Geometry<f64>) -> Vec<(i64, i64)> {
    let mut v: Vec<(i64, i64)> = normal(g)
        .0
        .iter()
        .flat_map(|p| {
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .flat_map(|r| r.0[..r.0.len() - 1].to_vec())
        })
        .map(|c| ((c.x * 1e6).round() as i64, (c.y * 1e6).round() as i64))
        .collect();
    v.sort_unstable();
    v
}

fn layer(crs: Crs) -> LayerInfo {
    LayerInfo {
        name: "patches".into(),
        crs: Some(crs),
        fields: vec![
            Field::new("BSM", FieldType::Int),
            Field::new("DLBM", FieldType::Text),
            Field::new("DLMC", FieldType::Text),
            Field {
                name: "TBMJ".into(),
                ty: FieldType::Float,
                width: 0,
                decimals: 2,
            },
        ],
        geometry_type: GeometryType::Polygon,
        feature_count: None,
    }
}

/// A star-shaped patch (whole millimetres) with an optional square hole.
fn patch(cx: f64, cy: f64, radii: &[f64], hole: bool) -> Geometry<f64> {
    let k = radii.len();
    let mm = |v: f64| (v * 1000.0).round() / 1000.0;
    let mut ring: Vec<(f64, f64)> = (0..k)
        .map(|j| {
            let a = -std::f64::consts::TAU * j as f64 / k as f64; // clockwise
            (mm(cx + radii[j] * a.cos()), mm(cy + radii[j] * a.sin()))
        })
        .collect();
    ring.push(ring[0]);
    let holes = if hole {
        let h = 5.0;
        vec![LineString::from(vec![
            (cx - h, cy - h),
            (cx + h, cy - h),
            (cx + h, cy + h),
            (cx - h, cy + h),
            (cx - h, cy - h),
        ])]
    } else {
        vec![]
    };
    Geometry::Polygon(Polygon::new(LineString::from(ring), holes))
}

fn roundtrip(
    ext: &str,
    crs: Crs,
    feats: &[Feature],
    enc: TextEncoding,
) -> (LayerInfo, Vec<Feature>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(format!("patches.{ext}"));
    let info = layer(crs);
    let mut w = create(
        &path,
        &info,
        &WriteOptions {
            encoding: Some(enc),
            ..Default::default()
        },
    )
    .expect("create");
    for f in feats {
        w.write_feature(f).expect("write");
    }
    w.finish().expect("finish");
    // Nothing but the output itself is left beside it.
    for e in std::fs::read_dir(dir.path()).expect("dir") {
        let name = e.expect("entry").file_name().into_string().expect("name");
        assert!(!name.starts_with('.'), "temporary file left: {name}");
    }
    let mut r = open(&path, &ReadOptions::default()).expect("open");
    let info = r.info().clone();
    (info, read_all(r.as_mut()).expect("read"))
}

fn features(polys: Vec<Geometry<f64>>) -> Vec<Feature> {
    polys
        .into_iter()
        .enumerate()
        .map(|(i, g)| Feature {
            fid: None,
            geometry: Some(g),
            values: vec![
                Value::Int(1000 + i as i64),
                Value::Text(["0101", "0301", "1203"][i % 3].into()),
                Value::Text(["水田", "乔木林地", "田坎"][i % 3].into()),
                Value::Float(12345.67 + i as f64),
            ],
        })
        .collect()
}

fn check(ext: &str, crs: Crs, feats: &[Feature], enc: TextEncoding) {
    let (info, back) = roundtrip(ext, crs, feats, enc);
    assert!(
        info.crs.expect("crs").equivalent(&crs),
        "{ext}: {:?}",
        info.crs
    );
    assert_eq!(back.len(), feats.len(), "{ext}");
    let names: Vec<&str> = info.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["BSM", "DLBM", "DLMC", "TBMJ"], "{ext}");
    for (a, b) in feats.iter().zip(&back) {
        let (ga, gb) = (
            a.geometry.as_ref().expect("g"),
            b.geometry.as_ref().expect("g"),
        );
        assert_eq!(
            area_cents(crs, ga),
            area_cents(crs, gb),
            "{ext}: area changed"
        );
        assert_eq!(
            vertex_multiset(ga),
            vertex_multiset(gb),
            "{ext}: vertices changed"
        );
        for (k, (va, vb)) in a.values.iter().zip(&b.values).enumerate() {
            match (va, vb) {
                (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => {
                    assert_eq!(*x as f64, *y, "{ext} field {k}")
                }
                _ => assert_eq!(va, vb, "{ext} field {k}"),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn projected_roundtrip_in_every_format(
        centres in prop::collection::vec((40_380_000.0f64..40_620_000.0, 4_690_000.0f64..5_060_000.0), 1..6),
        radii in prop::collection::vec(20.0f64..400.0, 3..30),
        hole in any::<bool>(),
    ) {
        let crs = Crs::from_epsg(4528).expect("crs");
        let polys = centres.iter().map(|&(x, y)| patch(x, y, &radii, hole)).collect();
        let feats = features(polys);
        for ext in ["shp", "gpkg", "fgb"] {
            check(ext, crs, &feats, TextEncoding::Utf8);
        }
        check("shp", crs, &feats, TextEncoding::Gbk);
    }

    #[test]
    fn lonlat_roundtrip_in_geojson_and_others(
        centres in prop::collection::vec((119.3f64..123.6, 42.3f64..45.6), 1..5),
        radii in prop::collection::vec(0.0002f64..0.004, 3..20),
    ) {
        let crs = Crs::Cgcs2000;
        let polys = centres.iter().map(|&(x, y)| {
            let k = radii.len();
            let mut ring: Vec<(f64, f64)> = (0..k).map(|j| {
                let a = std::f64::consts::TAU * j as f64 / k as f64;
                (x + radii[j] * a.cos(), y + radii[j] * a.sin())
            }).collect();
            ring.push(ring[0]);
            Geometry::Polygon(Polygon::new(LineString::from(ring), vec![]))
        }).collect();
        let feats = features(polys);
        for ext in ["geojson", "gpkg", "shp", "fgb"] {
            check(ext, crs, &feats, TextEncoding::Utf8);
        }
    }
}

#[test]
fn txt_roundtrip_keeps_area_and_rings() {
    let crs = Crs::from_epsg(4528).expect("crs");
    let feats: Vec<Feature> = features(vec![
        patch(
            40_560_000.0,
            4_761_000.0,
            &[100.0, 150.0, 120.0, 90.0, 130.0],
            true,
        ),
        patch(40_561_000.0, 4_762_000.0, &[300.0, 250.0, 280.0], false),
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.txt");
    let mut w = create(&path, &layer(crs), &WriteOptions::default()).expect("create");
    for f in &feats {
        w.write_feature(f).expect("write");
    }
    w.finish().expect("finish");
    let file = onemap_formats::txt::TxtFile::read(&path).expect("valid TXT");
    assert!(file.warnings.is_empty(), "{:?}", file.warnings);
    assert_eq!((file.zone, file.prefixed), (40, true));
    for (f, p) in feats.iter().zip(&file.parcels) {
        let g = f.geometry.as_ref().expect("g");
        assert_eq!(p.area_cents, Some(area_cents(crs, g)));
        assert_eq!(p.id, f.values[0].as_text().expect("id"));
        assert_eq!(
            vertex_multiset(g),
            vertex_multiset(&p.geometry().expect("polygon"))
        );
    }
    // Holes are written clockwise too and found again by containment.
    assert_eq!(
        file.parcels[0]
            .rings
            .iter()
            .map(|r| r.depth)
            .collect::<Vec<_>>(),
        vec![0, 1]
    );
}

#[test]
fn gbk_shapefile_from_gdal() {
    let mut r = open(&fixture("gbk_dltb.shp"), &ReadOptions::default()).expect("open");
    assert_eq!(r.info().crs, Some(Crs::from_epsg(4528).expect("crs")));
    let fs = read_all(r.as_mut()).expect("read");
    let names: Vec<String> = fs
        .iter()
        .map(|f| f.values[2].as_text().expect("DLMC"))
        .collect();
    assert_eq!(names, ["水田", "乔木林地", "农村宅基地"]);
    assert_eq!(fs[1].values[3], Value::Text("开鲁县开鲁镇".into()));
    assert_eq!(fs[0].values[4], Value::Float(39996.44));
    assert_eq!(fs[0].values[0], Value::Int(1001));
}

#[test]
fn gbk_without_cpg_is_a_clear_error_then_reads_with_the_option() {
    let mut r = open(&fixture("gbk_nocpg.shp"), &ReadOptions::default()).expect("open");
    let err = read_all(r.as_mut()).expect_err("must not guess");
    let msg = err.to_string();
    assert!(matches!(err, FormatError::Encoding { .. }), "{msg}");
    assert!(
        msg.contains("--encoding gbk") && msg.contains("record 1") && msg.contains("DLMC"),
        "{msg}"
    );
    let opts = ReadOptions {
        encoding: Some(TextEncoding::Gbk),
        ..Default::default()
    };
    let mut r = open(&fixture("gbk_nocpg.shp"), &opts).expect("open");
    let fs = read_all(r.as_mut()).expect("read");
    assert_eq!(fs[2].values[2], Value::Text("农村宅基地".into()));
}

#[test]
fn no_crs_is_an_error_unless_given() {
    let err = open(&fixture("noprj.shp"), &ReadOptions::default())
        .err()
        .expect("error");
    assert!(matches!(err, FormatError::NoCrs { .. }), "{err}");
    assert!(err.to_string().contains("--crs"));
    let opts = ReadOptions {
        crs: Some(Crs::from_epsg(4528).expect("crs")),
        ..Default::default()
    };
    assert!(open(&fixture("noprj.shp"), &opts).is_ok());
}

#[test]
fn failed_write_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    for ext in ["shp", "gpkg", "geojson", "fgb", "txt"] {
        let path = dir.path().join(format!("out.{ext}"));
        {
            let mut w = create(
                &path,
                &layer(Crs::from_epsg(4528).expect("crs")),
                &WriteOptions::default(),
            )
            .expect("create");
            let _ = w.write_feature(
                &features(vec![patch(
                    40_560_000.0,
                    4_761_000.0,
                    &[100.0, 120.0, 90.0],
                    false,
                )])[0],
            );
            // Dropped without finish: as after an error or an interruption.
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            0,
            "{ext} left files"
        );
    }
}

#[test]
fn geojson_coordinates_round_trip_bit_for_bit() {
    // serde_json parses floats exactly only with its float_roundtrip feature; without it a
    // coordinate can come back one ulp off and an area one cent off.
    let mut seed = 3u64;
    let mut rnd = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let pts: Vec<(f64, f64)> = (0..10_000)
        .map(|_| (119.0 + 5.0 * rnd(), 42.0 + 4.0 * rnd()))
        .collect();
    let feats = vec![Feature {
        fid: None,
        geometry: Some(Geometry::LineString(LineString::from(pts.clone()))),
        values: vec![Value::Null; 4],
    }];
    let (_, back) = roundtrip("geojson", Crs::Cgcs2000, &feats, TextEncoding::Utf8);
    let Some(Geometry::LineString(l)) = &back[0].geometry else {
        panic!("not a line")
    };
    for (a, b) in pts.iter().zip(&l.0) {
        assert_eq!(
            (a.0.to_bits(), a.1.to_bits()),
            (b.x.to_bits(), b.y.to_bits())
        );
    }
}
