//! Small synthetic DLTB layers with consistent areas, for tests and benchmarks: square-ish
//! patches on a grid in CGCS2000 3° zone 40, TBMJ equal to their `sandiao` area, 田坎 by
//! KCXS 0.068 on 耕地, ZLDWDM in Tongliao's counties. (The full demo city is issue 4's.)

use geo_types::{Geometry, LineString, Polygon};
use onemap_formats::{Feature, Field, FieldType, GeometryType, LayerInfo, Value};
use onemap_geodesy::crs::Crs;
use onemap_geodesy::sandiao;

/// Classes cycled through, with names.
pub const CLASSES: &[(&str, &str)] = &[
    ("0103", "旱地"),
    ("0301", "乔木林地"),
    ("0404", "其他草地"),
    ("0702", "农村宅基地"),
    ("1101", "河流水面"),
    ("0101", "水田"),
    ("1205", "沙地"),
    ("0601", "工业用地"),
];

/// The layer's fields.
pub fn fields() -> Vec<Field> {
    let f = |n: &str, t| Field::new(n, t);
    vec![
        f("BSM", FieldType::Text),
        f("DLBM", FieldType::Text),
        f("DLMC", FieldType::Text),
        f("ZLDWDM", FieldType::Text),
        f("ZLDWMC", FieldType::Text),
        Field {
            name: "TBMJ".into(),
            ty: FieldType::Float,
            width: 0,
            decimals: 2,
        },
        f("KCDLBM", FieldType::Text),
        Field {
            name: "KCXS".into(),
            ty: FieldType::Float,
            width: 0,
            decimals: 4,
        },
        Field {
            name: "KCMJ".into(),
            ty: FieldType::Float,
            width: 0,
            decimals: 2,
        },
        Field {
            name: "TBDLMJ".into(),
            ty: FieldType::Float,
            width: 0,
            decimals: 2,
        },
        f("CZCSXM", FieldType::Text),
    ]
}

/// The layer description (EPSG:4528).
pub fn layer(n: u64) -> LayerInfo {
    LayerInfo {
        name: "DLTB".into(),
        crs: Some(Crs::from_epsg(4528).unwrap_or(Crs::Cgcs2000)),
        fields: fields(),
        geometry_type: GeometryType::Polygon,
        feature_count: Some(n),
    }
}

/// Patch `i` of a layer of `n` patches (whole-millimetre vertices, 30 vertices, ~0.5–1 ha,
/// no overlaps).
pub fn patch(i: u64, n: u64) -> Feature {
    let side = (n as f64).sqrt().ceil().max(1.0) as u64;
    let (cx, cy) = (
        40_450_000.0 + (i % side) as f64 * 120.0,
        4_800_000.0 + (i / side) as f64 * 120.0,
    );
    let mm = |v: f64| (v * 1000.0).round() / 1000.0;
    let mut ring: Vec<(f64, f64)> = (0..30)
        .map(|k| {
            let a = -std::f64::consts::TAU * k as f64 / 30.0;
            let r = 40.0 + ((i * 7 + k * 13) % 17) as f64;
            (mm(cx + r * a.cos()), mm(cy + r * a.sin()))
        })
        .collect();
    ring.push(ring[0]);
    let g = Geometry::Polygon(Polygon::new(LineString::from(ring), vec![]));
    let frame = sandiao::AreaFrame::GaussKruger {
        cm_deg: 120,
        false_easting: 40_500_000.0,
    };
    let t = sandiao::to_cents(sandiao::feature_area(
        frame,
        onemap_formats::model::polygon_rings(&g)
            .into_iter()
            .map(|(r, h)| (r.0.iter().map(|c| [c.x, c.y]), h)),
    ));
    let (code, name) = CLASSES[(i % CLASSES.len() as u64) as usize];
    let cultivated = code.starts_with("01");
    // KCMJ = TBMJ × 0.068, half away from zero, in cents.
    let k = if cultivated {
        onemap_geodesy::units::q(t as i128 * 68, 1000) as i64
    } else {
        0
    };
    let county = ["150502", "150523", "150525"][(i % 3) as usize];
    let zl = format!("{county}{:03}{:03}0000000", 100 + i % 4, 200 + i % 5);
    let c2 = |c: i64| Value::Float(c as f64 / 100.0);
    let czc = if matches!(code, "0702" | "0601") {
        Value::Text("203".into())
    } else {
        Value::Null
    };
    Feature {
        fid: None,
        geometry: Some(g),
        values: vec![
            Value::Text(format!("{}", 1_000_000 + i)),
            Value::Text(code.into()),
            Value::Text(name.into()),
            Value::Text(zl),
            Value::Text("某村".into()),
            c2(t),
            if cultivated {
                Value::Text("1203".into())
            } else {
                Value::Null
            },
            if cultivated {
                Value::Float(0.068)
            } else {
                Value::Float(0.0)
            },
            c2(k),
            c2(t - k),
            czc,
        ],
    }
}

/// All `n` patches.
pub fn patches(n: u64) -> Vec<Feature> {
    (0..n).map(|i| patch(i, n)).collect()
}
