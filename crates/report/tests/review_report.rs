//! The review report on the hand-built fixture: golden HTML (insta), a DOCX package with real
//! tables and the figure, deterministic bytes.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use geo_types::{Geometry, MultiPolygon};
use onemap_overlay::fixture::{gk, poly, rect, snapshot};
use onemap_report::review::{review_report, ReviewMeta};
use onemap_review::{Parcel, Purpose, Reviewer};
use std::io::Read;

fn report() -> onemap_report::Doc {
    let snap = snapshot();
    let plan = onemap_plan::load(None).unwrap();
    let parcels: Vec<Parcel> = [
        (rect(500.0, 50.0, 200.0, 100.0), Purpose::Other, "光伏电站"),
        (rect(20.0, 220.0, 100.0, 100.0), Purpose::Urban, "城区住宅"),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (r, purpose, name))| {
        let g = Geometry::MultiPolygon(MultiPolygon(vec![poly(&[r])]));
        let mut p = Parcel::new(i, g, gk(), purpose).unwrap();
        p.id = Some(format!("D{}", i + 1));
        p.name = Some(name.into());
        p
    })
    .collect();
    let reviewer = Reviewer::new(&snap, &plan, None).unwrap();
    let reviews: Vec<_> = parcels.iter().map(|p| reviewer.review(p)).collect();
    let meta = ReviewMeta {
        file: "项目红线.txt".into(),
        date: "2026-01-01".into(),
        year: reviewer.year(),
    };
    review_report(&reviews, &parcels, &snap, &plan, &meta)
}

#[test]
fn html_report() {
    let html = report().to_html();
    for s in [
        "建设项目用地合规性审查报告",
        "内政字〔2024〕53号",
        "生态保护红线",
        "禁止",
        "土地利用现状（2025 年）",
        "<svg",
        "审查人",
    ] {
        assert!(html.contains(s), "{s}");
    }
    insta::assert_snapshot!(html);
}

#[test]
fn docx_report() {
    let doc = report();
    let bytes = doc.to_docx().unwrap();
    assert_eq!(bytes, doc.to_docx().unwrap(), "deterministic");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    for part in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/document.xml",
        "word/styles.xml",
        "word/_rels/document.xml.rels",
        "word/media/image1.png",
        "word/media/image2.png",
    ] {
        assert!(z.by_name(part).is_ok(), "{part}");
    }
    let mut xml = String::new();
    z.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.matches("<w:tbl>").count() >= 8, "real tables");
    assert!(xml.contains("管控要素") && xml.contains("西辽河流域水土保持生态保护红线"));
    let mut png = Vec::new();
    z.by_name("word/media/image1.png")
        .unwrap()
        .read_to_end(&mut png)
        .unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}
