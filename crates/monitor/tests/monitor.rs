//! Two hand-built survey years: a patch that changes class wholly, one split into two classes,
//! two merged into one, a sand patch restored, and near misses. Margins of the matrix against
//! each year's class totals; each rule fires exactly where planted.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use onemap_formats::Value;
use onemap_overlay::fixture::{gk_cents, lonlat, poly, rect, text};
use onemap_overlay::{LayerBuilder, Snapshot};
use onemap_survey::Kind;
use std::collections::{BTreeMap, HashSet};

/// (x, width, DLBM, CZCSXM, KCXS, BSM) of 100 m tall patches along y = 0.
type P = (f64, f64, &'static str, &'static str, f64, &'static str);

const Y2024: &[P] = &[
    (0.0, 100.0, "0103", "", 0.1, "A1"),
    (100.0, 100.0, "0103", "", 0.1, "A2"),
    (200.0, 100.0, "0404", "", 0.0, "A3"),
    (300.0, 100.0, "0404", "", 0.0, "A4"),
    (400.0, 100.0, "1205", "", 0.0, "A5"),
    (500.0, 100.0, "0103", "", 0.1, "A6"),
];

const Y2025: &[P] = &[
    (0.0, 100.0, "0702", "203", 0.0, "B1"), // whole change, in 永久基本农田
    (100.0, 50.0, "0103", "", 0.1, "B2a"),  // split: half stays 耕地 …
    (150.0, 50.0, "0201", "", 0.0, "B2b"),  // … half becomes 果园
    (200.0, 200.0, "0404", "", 0.0, "B34"), // two merged, no change of class
    (400.0, 100.0, "0305", "", 0.0, "B5"),  // 沙地 restored to 灌木林地
    (500.0, 100.0, "0404", "", 0.0, "B6"),  // near miss: 耕地 → 其他草地 (not 非粮化 as defined)
];

fn layer(year: i32, ps: &[P]) -> onemap_overlay::Layer {
    let mut b = LayerBuilder::new(
        Kind::Dltb,
        Some(year),
        &[
            ("BSM", false),
            ("DLBM", false),
            ("CZCSXM", false),
            ("ZLDWDM", false),
            ("TBMJ", true),
            ("KCMJ", true),
        ],
    );
    for &(x, w, dlbm, cz, kcxs, bsm) in ps {
        let r = ring(x, w);
        let tbmj = gk_cents(std::slice::from_ref(&r));
        let kcmj = (tbmj as f64 * kcxs).round() as i64;
        b.push(
            &[lonlat(&poly(&[r]))],
            &[
                Some(&text(bsm)),
                Some(&text(dlbm)),
                Some(&text(cz)),
                Some(&text("150502001001")),
                Some(&Value::Float(tbmj as f64 / 100.0)),
                Some(&Value::Float(kcmj as f64 / 100.0)),
            ],
        );
    }
    b.finish()
}

/// A patch's ring: a rectangle keeping a vertex every 100 m along its long edges, as a
/// merged patch keeps the vertices of the boundary it was merged along.
fn ring(x: f64, w: f64) -> Vec<[f64; 2]> {
    let r = rect(x, 0.0, w, 100.0);
    if w <= 100.0 {
        return r;
    }
    let mid = |a: [f64; 2], b: [f64; 2]| [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
    vec![r[0], mid(r[0], r[1]), r[1], r[2], mid(r[2], r[3]), r[3]]
}

fn snapshot() -> Snapshot {
    let mut s = Snapshot::new();
    s.insert(layer(2024, Y2024));
    s.insert(layer(2025, Y2025));
    let mut p = LayerBuilder::new(Kind::Yjjbnt, Some(2024), &[("BSM", false)]);
    p.push(
        &[lonlat(&poly(&[rect(0.0, 0.0, 100.0, 100.0)]))],
        &[Some(&text("PBF"))],
    );
    s.insert(p.finish());
    s
}

/// Class totals of a year at level 2: TBMJ − KCMJ per class, KCMJ as 1203.
fn totals(ps: &[P]) -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    for &(x, w, dlbm, _, kcxs, _) in ps {
        let tbmj = gk_cents(&[ring(x, w)]);
        let kcmj = (tbmj as f64 * kcxs).round() as i64;
        *m.entry(dlbm.to_string()).or_insert(0) += tbmj - kcmj;
        if kcmj > 0 {
            *m.entry("1203".to_string()).or_insert(0) += kcmj;
        }
    }
    m
}

#[test]
fn matrix_margins_are_the_two_years() {
    let plan = onemap_plan::load(None).unwrap();
    let r = onemap_monitor::monitor(&snapshot(), 2024, 2025, &plan, 2, &HashSet::new()).unwrap();
    let mut rows: BTreeMap<String, i64> = BTreeMap::new();
    let mut cols: BTreeMap<String, i64> = BTreeMap::new();
    for t in &r.transitions {
        let c = (t.area_m2 * 100.0).round() as i64;
        *rows.entry(t.from.clone()).or_default() += c;
        *cols.entry(t.to.clone()).or_default() += c;
    }
    assert_eq!(cols, totals(Y2025), "columns are the later year exactly");
    let earlier = totals(Y2024);
    for (k, v) in &earlier {
        let got = rows.get(k).copied().unwrap_or(0);
        assert!((got - v).abs() <= 2, "row {k}: {got} vs {v}");
    }
    assert_eq!(
        rows.keys().collect::<Vec<_>>(),
        earlier.keys().collect::<Vec<_>>()
    );
    // The two merged patches and the unchanged half are no change.
    let flow = |f: &str, t: &str| {
        r.transitions
            .iter()
            .find(|x| x.from == f && x.to == t)
            .map_or(0.0, |x| x.area_m2)
    };
    let b34 = gk_cents(&[ring(200.0, 200.0)]) as f64 / 100.0;
    assert_eq!(flow("0404", "0404"), b34);
    assert!(flow("0103", "0201") > 0.0 && flow("1205", "0305") > 0.0);
    assert_eq!(r.units.len(), 1);
    assert_eq!(r.units[0].code, "150502");
}

#[test]
fn each_rule_fires_where_planted() {
    let plan = onemap_plan::load(None).unwrap();
    let r = onemap_monitor::monitor(&snapshot(), 2024, 2025, &plan, 1, &HashSet::new()).unwrap();
    let fired: Vec<(String, String)> = r
        .alerts
        .iter()
        .map(|a| (a.rule.clone(), a.to_bsm.clone()))
        .collect();
    let want = [
        ("farmland_loss_in_pbf", "B1"),
        ("farmland_to_construction", "B1"),
        ("farmland_to_nongrain", "B2b"),
        ("sand_restored", "B5"),
    ];
    for (rule, bsm) in want {
        assert!(
            fired.contains(&(rule.into(), bsm.into())),
            "{rule} on {bsm}: {fired:?}"
        );
    }
    assert_eq!(fired.len(), want.len(), "nothing else: {fired:?}");
    let loss = r
        .alerts
        .iter()
        .find(|a| a.rule == "farmland_loss_in_pbf")
        .unwrap();
    assert_eq!(
        loss.area_m2,
        gk_cents(&[rect(0.0, 0.0, 100.0, 100.0)]) as f64 / 100.0
    );
    assert_eq!(
        (loss.from_dlbm.as_str(), loss.to_dlbm.as_str()),
        ("0103", "0702")
    );
    assert_eq!(loss.township, "150502001");
    let ng = r
        .alerts
        .iter()
        .find(|a| a.rule == "farmland_to_nongrain")
        .unwrap();
    let half = gk_cents(&[rect(150.0, 0.0, 50.0, 100.0)]) as f64 / 100.0;
    assert!(
        (ng.area_m2 - half).abs() <= 0.02,
        "{} vs {half}",
        ng.area_m2
    );
    assert!(r.alerts.iter().all(|a| a.new));
    // A second run that knows the first marks nothing new; a larger minimum area drops all.
    let seen: HashSet<String> = r.alerts.iter().map(|a| a.id.clone()).collect();
    let again = onemap_monitor::monitor(&snapshot(), 2024, 2025, &plan, 1, &seen).unwrap();
    assert!(again.alerts.iter().all(|a| !a.new));
    let mut strict = plan.clone();
    strict.monitor.min_area_m2 = 20_000.0;
    let none =
        onemap_monitor::monitor(&snapshot(), 2024, 2025, &strict, 1, &HashSet::new()).unwrap();
    assert!(none.alerts.is_empty());
}
