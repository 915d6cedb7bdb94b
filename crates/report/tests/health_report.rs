//! The health-check and evaluation reports on a small hand-made tally: golden HTML (insta),
//! every indicator present, DOCX with real tables.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use onemap_overlay::fixture::{lonlat, poly, rect, text};
use onemap_overlay::{LayerBuilder, Snapshot};
use onemap_plan::assess::assess;
use onemap_plan::tally::{Areas, Tally};
use onemap_report::health::{evaluation, health_check, Sources};
use onemap_survey::Kind;
use std::collections::BTreeMap;

const WANMU: i64 = 666_666_667; // cents per 万亩 (rounded)

fn tally(year: i32, shrink: i64) -> Tally {
    let unit = |cult: i64| Areas {
        total: 9_000 * WANMU,
        cultivated: cult,
        cultivated_in_pbf: cult * 4 / 5,
        urban_construction: 30_000_000_000 + (year as i64 - 2020) * 100_000_000,
        urban_rural_construction: 90_000_000_000,
        ..Areas::default()
    };
    let mut units = BTreeMap::new();
    units.insert("150502".to_string(), unit(1_700 * WANMU - shrink));
    units.insert("150521".to_string(), unit(1_600 * WANMU));
    let mut region = Areas::default();
    for a in units.values() {
        region.total += a.total;
        region.cultivated += a.cultivated;
        region.cultivated_in_pbf += a.cultivated_in_pbf;
        region.urban_construction += a.urban_construction;
        region.urban_rural_construction += a.urban_rural_construction;
    }
    let mut layers = BTreeMap::new();
    layers.insert(
        "yjjbnt".to_string(),
        BTreeMap::from([
            ("150502".to_string(), 1_300 * WANMU),
            ("150521".to_string(), 1_300 * WANMU),
        ]),
    );
    layers.insert(
        "czkfbj".to_string(),
        BTreeMap::from([
            ("150502".to_string(), 39_000_000_000),
            ("150521".to_string(), 39_000_000_000),
        ]),
    );
    Tally {
        year,
        units,
        region,
        layers,
        patches: 2,
    }
}

fn xzq() -> Snapshot {
    let mut b = LayerBuilder::new(Kind::Xzq, Some(2020), &[("XZQDM", false), ("XZQMC", false)]);
    for (x, code, name) in [
        (0.0, "150502", "科尔沁区"),
        (20_000.0, "150521", "科尔沁左翼中旗"),
    ] {
        b.push(
            &[lonlat(&poly(&[rect(x, 0.0, 20_000.0, 30_000.0)]))],
            &[Some(&text(code)), Some(&text(name))],
        );
    }
    let mut s = Snapshot::new();
    s.insert(b.finish());
    s
}

fn docs() -> (onemap_report::Doc, onemap_report::Doc) {
    let plan = onemap_plan::load(None).unwrap();
    let tallies: BTreeMap<i32, Tally> = [(2020, 0), (2023, 30 * WANMU), (2025, 60 * WANMU)]
        .into_iter()
        .map(|(y, s)| (y, tally(y, s)))
        .collect();
    let a = assess(&plan, 2025, &tallies, &[], &BTreeMap::new()).unwrap();
    let snap = xzq();
    let src = Sources {
        datasets: &[],
        stats: &[],
        date: "2026-01-01".into(),
    };
    (
        health_check(&a, &plan, &snap, &src),
        evaluation(&a, 2020, &plan, &snap, &src),
    )
}

#[test]
fn health_check_html() {
    let (h, e) = docs();
    let html = h.to_html();
    let plan = onemap_plan::load(None).unwrap();
    for i in &plan.indicators {
        assert!(html.contains(&i.name), "{}", i.name);
    }
    assert!(
        html.contains("年度体检报告（2025 年）")
            && html.contains("<svg")
            && html.contains("科尔沁区")
    );
    insta::assert_snapshot!("health_check", html);
    let ev = e.to_html();
    assert!(ev.contains("实施评估报告（2020—2025 年）") && ev.contains("2035 年外推"));
    insta::assert_snapshot!("evaluation", ev);
}

#[test]
fn health_check_docx() {
    let (h, _) = docs();
    let bytes = h.to_docx().unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    assert!(xml.matches("<w:tbl>").count() >= 3);
    assert!(xml.contains("耕地保有量") && xml.contains("约束性"));
    assert!(z.by_name("word/media/image1.png").is_ok());
}
