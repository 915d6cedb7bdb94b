//! Indicators on a small hand-built city: a 6 × 4 grid of 100 m patches in zone 41 for 2020
//! and 2025, control lines that cut some patches in half, every value against a hand count.
//! Patch areas are `sandiao` areas of the plane squares (so TBMJ is exact); expected pieces are
//! `sandiao` areas of plane rectangles, independently of the overlay code.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use onemap_formats::Value;
use onemap_overlay::fixture::{gk_cents, lonlat, poly, rect, text};
use onemap_overlay::{apportion, LayerBuilder, Snapshot};
use onemap_plan::assess::{assess, Status};
use onemap_plan::tally::tally;
use onemap_store::StatRow;
use onemap_survey::Kind;
use std::collections::BTreeMap;

/// Class of the patch in column `c`, row `r`, and its CZCSXM, per year.
fn class(c: usize, r: usize, year: i32) -> (&'static str, &'static str) {
    match (c, r) {
        (_, 3) => ("0701", "202"), // town row, inside the development boundary
        (0..=2, 0..=1) => {
            // 2025: the patch at (2, 1) became a village.
            if year == 2025 && (c, r) == (2, 1) {
                ("0702", "203")
            } else {
                ("0103", "")
            }
        }
        (3, _) => ("0404", ""),
        (4 | 5, 0) => ("0702", "203"), // villages, partly in the red line
        (4 | 5, 1) => ("1205", ""),
        _ => ("0301", ""),
    }
}

const KCXS: f64 = 0.1;

fn county(c: usize) -> &'static str {
    if c < 3 {
        "150502"
    } else {
        "150521"
    }
}

fn survey(year: i32) -> onemap_overlay::Layer {
    let mut b = LayerBuilder::new(
        Kind::Dltb,
        Some(year),
        &[
            ("DLBM", false),
            ("ZLDWDM", false),
            ("TBMJ", true),
            ("KCMJ", true),
            ("CZCSXM", false),
        ],
    );
    for r in 0..4 {
        for c in 0..6 {
            let ring = rect(c as f64 * 100.0, r as f64 * 100.0, 100.0, 100.0);
            let tbmj = gk_cents(std::slice::from_ref(&ring));
            let (dlbm, cz) = class(c, r, year);
            let kcmj = if dlbm.starts_with("01") {
                (tbmj as f64 * KCXS).round() as i64
            } else {
                0
            };
            b.push(
                &[lonlat(&poly(&[ring]))],
                &[
                    Some(&text(dlbm)),
                    Some(&text(&format!("{}001001", county(c)))),
                    Some(&Value::Float(tbmj as f64 / 100.0)),
                    Some(&Value::Float(kcmj as f64 / 100.0)),
                    Some(&text(cz)),
                ],
            );
        }
    }
    b.finish()
}

/// A rectangle with a vertex every `step` m along its edges (short chords in lon/lat; at
/// 100 m its edges are exactly the patches' edges).
fn dense(x: f64, y: f64, w: f64, h: f64, step: f64) -> Vec<[f64; 2]> {
    let mut pts = Vec::new();
    let (nx, ny) = ((w / step) as usize, (h / step) as usize);
    let o = rect(x, y, w, h)[0];
    for i in 0..nx {
        pts.push([o[0] + i as f64 * step, o[1]]);
    }
    for j in 0..ny {
        pts.push([o[0] + w, o[1] + j as f64 * step]);
    }
    for i in 0..nx {
        pts.push([o[0] + w - i as f64 * step, o[1] + h]);
    }
    for j in 0..ny {
        pts.push([o[0], o[1] + h - j as f64 * step]);
    }
    pts
}

fn control(kind: Kind, ring: Vec<[f64; 2]>) -> onemap_overlay::Layer {
    let mut b = LayerBuilder::new(kind, Some(2024), &[("BSM", false)]);
    b.push(&[lonlat(&poly(&[ring]))], &[Some(&text("1"))]);
    b.finish()
}

/// 永久基本农田 over x 0..250, y 0..200: columns 0–1 whole, column 2 half.
/// 生态保护红线 over x 450..600, y 0..100: village (5, 0) whole, (4, 0) half.
/// 城镇开发边界 over y 300..400 (the town row) and x 0..100 of row 2 (forest).
/// 基本草原 over column 3.
fn snapshot() -> Snapshot {
    let mut s = Snapshot::new();
    s.insert(survey(2020));
    s.insert(survey(2025));
    s.insert(control(Kind::Yjjbnt, dense(0.0, 0.0, 250.0, 200.0, 50.0)));
    s.insert(control(Kind::Stbhhx, dense(450.0, 0.0, 150.0, 100.0, 50.0)));
    let mut u = LayerBuilder::new(Kind::Czkfbj, Some(2024), &[("BSM", false)]);
    u.push(
        &[lonlat(&poly(&[dense(0.0, 300.0, 600.0, 100.0, 100.0)]))],
        &[Some(&text("1"))],
    );
    u.push(
        &[lonlat(&poly(&[dense(0.0, 200.0, 100.0, 100.0, 100.0)]))],
        &[Some(&text("2"))],
    );
    s.insert(u.finish());
    s.insert(control(Kind::Jbcy, dense(300.0, 0.0, 100.0, 400.0, 100.0)));
    s
}

fn sq(c: usize, r: usize) -> i64 {
    gk_cents(&[rect(c as f64 * 100.0, r as f64 * 100.0, 100.0, 100.0)])
}

fn kc(c: usize, r: usize) -> i64 {
    (sq(c, r) as f64 * KCXS).round() as i64
}

#[test]
fn every_area_by_hand() {
    let snap = snapshot();
    let plan = onemap_plan::load(None).unwrap();
    let t = tally(&snap, 2025, &plan).unwrap();
    let a = &t.region;
    // 耕地: columns 0–2 of rows 0–1 except (2, 1), net of 田坎.
    let cult: Vec<(usize, usize)> = vec![(0, 0), (1, 0), (2, 0), (0, 1), (1, 1)];
    let want: i64 = cult.iter().map(|&(c, r)| sq(c, r) - kc(c, r)).sum();
    assert_eq!(a.cultivated, want);
    // Inside PBF: four whole patches and the west half of (2, 0), 田坎 split by largest remainder.
    let half = gk_cents(&[rect(200.0, 0.0, 50.0, 100.0)]);
    let whole: i64 = [(0, 0), (1, 0), (0, 1), (1, 1)]
        .iter()
        .map(|&(c, r)| sq(c, r) - kc(c, r))
        .sum();
    let piece = apportion(sq(2, 0), &[half as f64, (sq(2, 0) - half) as f64])[0];
    let piece_kc = apportion(kc(2, 0), &[piece as f64, (sq(2, 0) - piece) as f64])[0];
    let want_in = whole + piece - piece_kc;
    assert!(
        (a.cultivated_in_pbf - want_in).abs() <= 2,
        "{} vs {want_in}",
        a.cultivated_in_pbf
    );
    assert_eq!(
        a.cultivated_in_pbf + a.cultivated_outside_pbf,
        a.cultivated,
        "pieces add up"
    );
    // 城乡建设用地: villages (4, 0), (5, 0), (2, 1) and the town row.
    let villages = sq(4, 0) + sq(5, 0) + sq(2, 1);
    let town: i64 = (0..6).map(|c| sq(c, 3)).sum();
    assert_eq!(a.urban_construction, town);
    assert_eq!(a.urban_rural_construction, villages + town);
    assert_eq!(a.construction, villages + town);
    // In the red line: (5, 0) whole and the east half of (4, 0).
    let half = gk_cents(&[rect(450.0, 0.0, 50.0, 100.0)]);
    let want_red = sq(5, 0) + apportion(sq(4, 0), &[half as f64, (sq(4, 0) - half) as f64])[0];
    assert!(
        (a.construction_in_redline - want_red).abs() <= 2,
        "{} vs {want_red}",
        a.construction_in_redline
    );
    // In the development boundary: the town row (the forest patch in it is not construction).
    // The boundary's edges are the patches' edges: exact.
    assert_eq!(a.udb_construction, town);
    assert_eq!(a.sandy, sq(4, 1) + sq(5, 1));
    assert_eq!(a.grassland, (0..3).map(|r| sq(3, r)).sum::<i64>());
    // Counties add up to the region.
    let sum: i64 = t.units.values().map(|u| u.cultivated).sum();
    assert_eq!(sum, a.cultivated);
    assert_eq!(t.units["150502"].cultivated, want);
    // Control layers by county (the interior point of each feature).
    let pbf_area = t.layer_total("yjjbnt").unwrap();
    let plane = gk_cents(&[dense(0.0, 0.0, 250.0, 200.0, 50.0)]);
    assert!((pbf_area - plane).abs() <= 5, "{pbf_area} vs {plane}");
}

#[test]
fn graded_assessment() {
    let snap = snapshot();
    let plan = onemap_plan::load(None).unwrap();
    let mut tallies = BTreeMap::new();
    for y in [2020, 2025] {
        tallies.insert(y, tally(&snap, y, &plan).unwrap());
    }
    let stats = vec![
        StatRow {
            year: 2025,
            unit: "150502".into(),
            key: "water_use".into(),
            value: 1.25,
            source: "t.csv".into(),
        },
        StatRow {
            year: 2025,
            unit: "150521".into(),
            key: "water_use".into(),
            value: 2.5,
            source: "t.csv".into(),
        },
        StatRow {
            year: 2025,
            unit: "150500".into(),
            key: "urban_population".into(),
            value: 0.05,
            source: "t.csv".into(),
        },
    ];
    let r = assess(&plan, 2025, &tallies, &stats, &BTreeMap::new()).unwrap();
    let get = |id: &str| r.indicators.iter().find(|i| i.id == id).unwrap();
    // Far below the city's targets: binding indicators are red.
    assert_eq!(get("cultivated_land").status, Status::Red);
    assert!(get("cultivated_land").reason.contains("低于约束性目标"));
    // Water use: the sum of the counties (no region row).
    assert_eq!(get("water_use").value, Some(3.75));
    assert_eq!(
        get("water_use").status,
        Status::Unknown,
        "no allocation set in the plan"
    );
    // Per-capita urban land: 60 000 m² / 500 people.
    let town: i64 = (0..6).map(|c| sq(c, 3)).sum();
    let want = ((town as f64 / 100.0 / 500.0) * 100.0).round() / 100.0;
    assert_eq!(get("per_capita_urban_land").value, Some(want));
    // Above 115 m²/人, an expected indicator: yellow, not red.
    assert_eq!(get("per_capita_urban_land").status, Status::Yellow);
    // Expansion: the boundary over 2020's urban construction land.
    let e = get("udb_expansion").value.unwrap();
    let udb = tallies[&2025].layer_total("czkfbj").unwrap() as f64;
    assert!((e - (udb / town as f64 * 1e4).round() / 1e4).abs() < 1e-9);
    // Every area indicator is its hand count in the plan's unit.
    use onemap_geodesy::units::AreaUnit;
    let t = &tallies[&2025];
    let forest: i64 = [(0, 2), (1, 2), (2, 2), (4, 2), (5, 2)]
        .iter()
        .map(|&(c, r)| sq(c, r))
        .sum();
    let hand: &[(&str, i64)] = &[
        ("cultivated_land", t.region.cultivated),
        ("urban_construction", town),
        ("forest_land", forest),
        ("grassland", (0..3).map(|r| sq(3, r)).sum()),
        ("sandy_land", sq(4, 1) + sq(5, 1)),
        ("wetland", 0),
        ("saline_land", 0),
        ("udb_construction", town),
    ];
    for (id, cents) in hand {
        let i = get(id);
        let unit = match i.unit.as_str() {
            "万亩" => AreaUnit::WanMu,
            "公顷" => AreaUnit::Hectare,
            "平方公里" => AreaUnit::SquareKilometre,
            u => panic!("{u}"),
        };
        assert_eq!(i.value, Some(unit.value(*cents)), "{id}");
    }
    assert_eq!(
        get("eco_redline").value,
        Some(AreaUnit::WanSquareKilometre.value(t.layer_total("stbhhx").unwrap()))
    );
    assert_eq!(
        get("basic_grassland").value,
        Some(AreaUnit::WanMu.value(t.layer_total("jbcy").unwrap()))
    );
    // Counties listed with names, the series holds both years.
    assert_eq!(get("cultivated_land").units.len(), 2);
    assert_eq!(get("cultivated_land").units[0].name, "科尔沁区");
    assert_eq!(get("cultivated_land").series.len(), 2);
    // 耕地 fell from 2020 to 2025: the county that lost it drives the status.
    assert!(
        get("cultivated_land").drivers[0].starts_with("科尔沁区"),
        "{:?}",
        get("cultivated_land").drivers
    );
}
