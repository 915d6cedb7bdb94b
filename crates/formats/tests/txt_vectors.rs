//! The coordinate TXT examples and vectors of standards §6.4–§6.5 (X1–X9, E1–E12), and more
//! malformed inputs: each error carries its line and code.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use onemap_formats::txt::{parse, Shape};
use onemap_formats::Diagnostic;

fn example1() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/samples/example1.txt"
    ))
    .expect("example1.txt");
    text.lines().map(str::to_string).collect()
}

fn join(lines: &[String], eol: &str) -> Vec<u8> {
    let mut s = lines.join(eol);
    s.push_str(eol);
    s.into_bytes()
}

/// Example 1 with line `n` (1-based) replaced.
fn replace(n: usize, with: &str) -> Vec<u8> {
    let mut l = example1();
    l[n - 1] = with.to_string();
    join(&l, "\r\n")
}

/// Example 1 without the given lines (1-based).
fn delete(ns: &[usize]) -> Vec<u8> {
    let l: Vec<String> = example1()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !ns.contains(&(i + 1)))
        .map(|(_, s)| s)
        .collect();
    join(&l, "\r\n")
}

fn area_ok(bytes: &[u8]) -> (i64, Vec<Diagnostic>) {
    let f = parse(bytes).unwrap_or_else(|e| panic!("unexpected errors: {e:?}"));
    let polys: Vec<_> = f
        .parcels
        .iter()
        .filter(|p| p.shape == Shape::Polygon)
        .collect();
    assert_eq!(polys.len(), 1);
    (polys[0].area_cents.expect("area"), f.warnings)
}

fn codes(w: &[Diagnostic]) -> Vec<(usize, &str)> {
    w.iter().map(|d| (d.line, d.code)).collect()
}

fn expect_error(bytes: &[u8], line: usize, code: &str) {
    match parse(bytes) {
        Ok(_) => panic!("expected {code} at line {line}, got no error"),
        Err(errs) => assert!(
            errs.iter().any(|d| d.line == line && d.code == code),
            "expected {code} at line {line}, got {errs:?}"
        ),
    }
}

#[test]
fn example_1_parcel_with_a_hole() {
    let f = parse(&join(&example1(), "\r\n")).expect("valid");
    assert_eq!(
        (f.zone, f.width, f.l0, f.prefixed, f.encoding),
        (40, 3, 120, true, "utf-8")
    );
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    let p = &f.parcels[0];
    assert_eq!(p.id, "1");
    assert_eq!(
        (p.name.as_str(), p.land_use.as_str(), p.class_code.as_str()),
        ("示例地块", "工业用地", "0601")
    );
    assert_eq!(p.rings.len(), 2);
    assert_eq!(
        (p.rings[0].number, p.rings[0].depth, p.rings[0].points.len()),
        (1, 0, 5)
    );
    assert_eq!(
        (p.rings[1].number, p.rings[1].depth, p.rings[1].parent),
        (2, 1, Some(0))
    );
    assert_eq!(p.rings[1].points[0].line, 19);
    assert_eq!(p.area_cents, Some(2_999_734));
    match p.geometry() {
        Some(geo_types::Geometry::Polygon(poly)) => assert_eq!(poly.interiors().len(), 1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn example_2_two_parcels_unprefixed() {
    let text = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/samples/example2.txt"
    ))
    .expect("example2");
    let f = parse(&text).expect("valid");
    assert_eq!((f.zone, f.prefixed), (41, false));
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    let a: Vec<i64> = f
        .parcels
        .iter()
        .map(|p| p.area_cents.expect("area"))
        .collect();
    assert_eq!(a, vec![671_609, 419_201]);
    assert_eq!(a.iter().sum::<i64>(), 1_090_810);
}

#[test]
fn x1_gbk_crlf() {
    let text = join(&example1(), "\r\n");
    let (gbk, _, bad) = encoding_rs::GBK.encode(std::str::from_utf8(&text).expect("utf8"));
    assert!(!bad);
    let f = parse(&gbk).expect("valid");
    assert_eq!(f.encoding, "gbk");
    assert_eq!(f.parcels[0].name, "示例地块");
    assert_eq!(area_ok(&gbk), (2_999_734, vec![]));
}

#[test]
fn x2_utf8_bom_lf() {
    let mut b = vec![0xEF, 0xBB, 0xBF];
    b.extend(join(&example1(), "\n"));
    assert_eq!(parse(&b).expect("valid").encoding, "utf-8-bom");
    assert_eq!(area_ok(&b), (2_999_734, vec![]));
}

#[test]
fn x3_padding_lowercase_blank_lines() {
    let mut l: Vec<String> = example1()
        .into_iter()
        .map(|s| {
            if s.starts_with('J') {
                format!("  {} ", s.replace(',', " , ").replacen('J', "j", 1))
            } else {
                s
            }
        })
        .collect();
    l.extend(["".into(), "".into(), "".into()]);
    assert_eq!(area_ok(&join(&l, "\r\n")), (2_999_734, vec![]));
}

#[test]
fn x4_only_crs_and_zone_keys() {
    assert_eq!(
        area_ok(&delete(&[2, 3, 4, 6, 7, 8, 10, 11])),
        (2_999_734, vec![])
    );
}

#[test]
fn x5_zone_from_prefix() {
    let b = delete(&[9]);
    assert_eq!(parse(&b).expect("valid").zone, 40);
    assert_eq!(area_ok(&b), (2_999_734, vec![]));
}

#[test]
fn x6_crs_assumed() {
    let (a, w) = area_ok(&delete(&[5]));
    assert_eq!((a, codes(&w)), (2_999_734, vec![(0, "W-CRS-ASSUMED")]));
}

#[test]
fn x7_count_mismatch() {
    let (a, w) = area_ok(&replace(13, "9,3.0000,1,示例地块,面,,工业用地,0601,@"));
    assert_eq!((a, codes(&w)), (2_999_734, vec![(13, "W-COUNT")]));
}

#[test]
fn x8_declared_area_matches_nothing() {
    let (a, w) = area_ok(&replace(13, "10,2.5000,1,示例地块,面,,工业用地,0601,@"));
    assert_eq!((a, codes(&w)), (2_999_734, vec![(13, "W-AREA")]));
}

#[test]
fn x9_eight_field_header() {
    assert_eq!(
        area_ok(&replace(13, "10,3.0000,1,示例地块,面,,工业用地,@")),
        (2_999_734, vec![])
    );
}

#[test]
fn declared_sandiao_area_is_accepted_too() {
    // 2.9997 公顷 is the sandiao area: no W-AREA although the plane area is 3.0000.
    assert_eq!(
        area_ok(&replace(13, "10,2.9997,1,示例地块,面,,工业用地,0601,@")).1,
        vec![]
    );
}

#[test]
fn e1_to_e12() {
    expect_error(
        &replace(13, "10,3.0000,1,示例地块,面,,工业用地,0601"),
        13,
        "E-HEADER-NO-AT",
    );
    expect_error(&delete(&[18]), 17, "E-RING-OPEN");
    expect_error(
        &replace(16, "J3,1,4761000.0O0,40560200.000"),
        16,
        "E-NUMBER",
    );
    expect_error(&replace(9, "带号=41"), 14, "E-ZONE-MISMATCH");
    expect_error(
        &delete(&[14, 15, 16, 17, 18, 19, 20, 21, 22, 23]),
        13,
        "E-PARCEL-EMPTY",
    );
    expect_error(&delete(&[13]), 13, "E-NO-PARCEL-HEADER");
    expect_error(
        &replace(15, "J2,1,40560200.000,4761200.000"),
        15,
        "E-COORD-RANGE",
    );
    expect_error(
        &replace(23, "J5,1,4761150.000,40560050.000"),
        23,
        "E-RING-ORDER",
    );
    expect_error(&replace(5, "坐标系=1980西安坐标系"), 5, "E-CRS");
    expect_error(&replace(6, "几度分带=6"), 9, "E-ZONE-RANGE");
    expect_error(
        &replace(20, "J6,2,4761150.000,560150.000"),
        20,
        "E-PREFIX-MIXED",
    );
    let text = String::from_utf8(join(&example1(), "\r\n")).expect("utf8");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    expect_error(&utf16, 1, "E-ENCODING");
    let no_bom: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    expect_error(&no_bom, 1, "E-ENCODING");
}

#[test]
fn more_errors() {
    // A swapped X/Y is also E-PREFIX-MIXED; a changed closing 圈号 is also E-RING-OPEN.
    expect_error(
        &replace(15, "J2,1,40560200.000,4761200.000"),
        15,
        "E-PREFIX-MIXED",
    );
    expect_error(
        &replace(23, "J5,1,4761150.000,40560050.000"),
        22,
        "E-RING-OPEN",
    );
    expect_error(
        &replace(13, "10,3.0000,1,示例地块,面,,工业用地,0601,x,@"),
        13,
        "E-HEADER-FIELDS",
    );
    expect_error(
        &replace(13, "10,3.0000,1,示例地块,圆,,工业用地,0601,@"),
        13,
        "E-SHAPE",
    );
    expect_error(
        &replace(13, "十,3.0000,1,示例地块,面,,工业用地,0601,@"),
        13,
        "E-NUMBER",
    );
    expect_error(&replace(14, "J1,1,4761200.000"), 14, "E-FIELDS");
    expect_error(&replace(7, "投影类型=UTM"), 7, "E-PROJECTION");
    expect_error(&replace(8, "计量单位=度"), 8, "E-UNIT");
    expect_error(&replace(6, "几度分带=1.5"), 6, "E-ZONE-WIDTH");
    expect_error(&replace(3, "数据产生单位"), 3, "E-HEADER-SYNTAX");
    expect_error(&replace(4, "坐标系=CGCS2000"), 5, "E-HEADER-DUP");
    expect_error(&replace(2, "[地块坐标]"), 12, "E-SECTION");
    expect_error(b"", 1, "E-SECTION");
    // GBK 属性描述 on line 1, then bytes that are neither UTF-8 nor GB18030.
    expect_error(
        b"[\xca\xf4\xd0\xd4\xc3\xe8\xca\xf6]\n\xff\xfe\xfd\n",
        2,
        "E-ENCODING",
    );
    expect_error(b"\x80\n", 1, "E-ENCODING");
    expect_error(
        &delete(&[9, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]),
        12,
        "E-PARCEL-EMPTY",
    );
    // A ring with three points.
    let mut l = example1();
    l.drain(15..17); // lines 16 and 17
    expect_error(&join(&l, "\r\n"), 14, "E-RING-DEGENERATE");
    // A hole that repeats the outer ring.
    let mut l = example1();
    for (i, k) in (18..23).zip(13..18) {
        l[i] = l[k].replace(",1,", ",2,");
    }
    expect_error(&join(&l, "\r\n"), 19, "E-RING-DUPLICATE");
    // Without 带号 and without the prefix.
    let l: Vec<String> = example1()
        .into_iter()
        .filter(|s| !s.starts_with("带号"))
        .map(|s| s.replace(",40560", ",560"))
        .collect();
    expect_error(&join(&l, "\r\n"), 13, "E-ZONE-UNKNOWN");
    // Content before any section, and a file with only the attribute section.
    expect_error(
        b"hello\n[\xe5\x9c\xb0\xe5\x9d\x97\xe5\x9d\x90\xe6\xa0\x87]\n",
        1,
        "E-SECTION",
    );
    expect_error(&join(&example1()[..11], "\n"), 11, "E-SECTION");
    expect_error("[地块坐标]\n\n".as_bytes(), 1, "E-NO-PARCEL");
}

#[test]
fn second_ring_outside_is_a_second_part() {
    let mut l = example1();
    // Move ring 2 outside ring 1 (200 m further east): a second part, not a hole.
    for s in l.iter_mut().skip(18) {
        *s = s
            .replace(",40560050", ",40560350")
            .replace(",40560150", ",40560450");
    }
    l[12] = "10,,1,示例地块,面,,工业用地,0601,@".into();
    let f = parse(&join(&l, "\r\n")).expect("valid");
    let p = &f.parcels[0];
    assert_eq!((p.rings[0].depth, p.rings[1].depth), (0, 0));
    assert!(
        matches!(p.geometry(), Some(geo_types::Geometry::MultiPolygon(ref m)) if m.0.len() == 2)
    );
    // 39 996.44 + 9 999.11 (both parts, no hole).
    let c = p.area_cents.expect("area");
    assert!((4_999_000..5_000_000).contains(&c), "{c}");
}

#[test]
fn line_and_point_parcels_are_skipped_with_a_warning() {
    let mut l = example1();
    l.push("2,,2,线地块,线,,,,@".into());
    l.push("J1,1,4761300.000,40560000.000".into());
    l.push("J2,1,4761300.000,40560100.000".into());
    l.push("1,,1,点,点,,,,@".into());
    l.push("J1,1,4761400.000,40560000.000".into());
    let f = parse(&join(&l, "\n")).expect("valid");
    let mut c = codes(&f.warnings);
    c.sort();
    assert_eq!(
        c,
        vec![
            (24, "W-NOT-POLYGON"),
            (27, "W-DUP-ID"),
            (27, "W-NOT-POLYGON")
        ]
    );
    assert_eq!(
        f.parcels
            .iter()
            .filter(|p| p.shape == Shape::Polygon)
            .count(),
        1
    );
}

#[test]
fn params_ignored_and_empty_values() {
    let (_, w) = area_ok(&replace(11, "转换参数=1,2,3,4,5,6,7"));
    assert_eq!(codes(&w), vec![(11, "W-PARAMS-IGNORED")]);
    // An empty 带号 counts as absent.
    assert_eq!(area_ok(&replace(9, "带号=")).0, 2_999_734);
    // Full-width brackets and a lone CR as line end.
    let mut l = example1();
    l[0] = "【属性描述】".into();
    l[11] = "【地块坐标】".into();
    assert_eq!(area_ok(&join(&l, "\r")).0, 2_999_734);
}
