//! Reader of the 报部 coordinate TXT (standards §6): every rule, error and warning code of §6.5.
//!
//! The reader never stops at the first error: it collects every error with its line so that one
//! run lists everything to fix. Closure, distinct points, zero area, "on the boundary" and
//! "inside" are decided exactly on the coordinates as written, as integers in the file's smallest
//! decimal unit, with i128 arithmetic and no tolerance.

use super::{Parcel, PointRec, Ring, Shape, TxtFile};
use crate::error::Diagnostic;
use onemap_geodesy::sandiao::{self, AreaFrame};

/// Most decimals accepted in a coordinate (a nanometre); more would overflow the exact checks.
const MAX_DECIMALS: u32 = 9;

/// An exact decimal as written: mantissa and number of decimals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Dec {
    m: i128,
    d: u32,
}

impl Dec {
    fn scaled(self, d: u32) -> i128 {
        self.m * 10i128.pow(d - self.d)
    }
}

/// `[0-9]+(\.[0-9]+)?` → exact decimal; `None` if the text does not match.
fn parse_decimal(s: &str) -> Option<Dec> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (s.contains('.') && !digits(frac)) {
        return None;
    }
    // Leading zeros do not count towards the size limit.
    let int = int.trim_start_matches('0');
    if int.len() > 20 || frac.len() > 30 {
        return None;
    }
    let mut m: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        m = m * 10 + (b - b'0') as i128;
    }
    Some(Dec {
        m,
        d: frac.len() as u32,
    })
}

/// `[0-9]+` → integer; `None` if it does not match or is absurdly large.
fn parse_integer(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.trim_start_matches('0')
        .parse::<u64>()
        .ok()
        .or_else(|| s.bytes().all(|b| b == b'0').then_some(0))
}

/// Split raw bytes into lines at CRLF, LF or a lone CR.
fn split_lines(b: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push(&b[start..i]);
                i += 1;
                start = i;
            }
            b'\r' => {
                out.push(&b[start..i]);
                i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < b.len() {
        out.push(&b[start..]);
    }
    out
}

/// Strict GB18030 decoding of one line: the byte structure is walked first (a lone 0x80 or
/// 0xFF where a character starts is an error, not €), then `encoding_rs` decodes without
/// replacement.
fn decode_gb18030(b: &[u8]) -> Option<String> {
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            i += 1;
        } else if c == 0x80 || c == 0xFF {
            return None;
        } else {
            let c2 = *b.get(i + 1)?;
            if (0x40..=0x7E).contains(&c2) || (0x80..=0xFE).contains(&c2) {
                i += 2;
            } else if (0x30..=0x39).contains(&c2) {
                let c3 = *b.get(i + 2)?;
                let c4 = *b.get(i + 3)?;
                if !(0x81..=0xFE).contains(&c3) || !(0x30..=0x39).contains(&c4) {
                    return None;
                }
                i += 4;
            } else {
                return None;
            }
        }
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(b)
        .map(|c| c.into_owned())
}

/// Decode the file into lines (standards §6.5, encoding rule). Returns the lines and the
/// encoding name, or the E-ENCODING diagnostic.
fn decode(bytes: &[u8]) -> Result<(Vec<String>, &'static str), Diagnostic> {
    let enc_err = |line, message: &str| Diagnostic {
        line,
        code: "E-ENCODING",
        message: message.into(),
    };
    if bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
        || bytes[..bytes.len().min(4096)].contains(&0)
    {
        return Err(enc_err(1, "the file is UTF-16; save it as UTF-8 or GBK"));
    }
    if let Some(body) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        let mut lines = Vec::new();
        for (i, l) in split_lines(body).into_iter().enumerate() {
            match std::str::from_utf8(l) {
                Ok(s) => lines.push(s.to_string()),
                Err(_) => {
                    return Err(enc_err(
                        i + 1,
                        "invalid UTF-8 after a UTF-8 byte-order mark",
                    ))
                }
            }
        }
        return Ok((lines, "utf-8-bom"));
    }
    let raw = split_lines(bytes);
    if std::str::from_utf8(bytes).is_ok() {
        return Ok((
            raw.iter()
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect(),
            "utf-8",
        ));
    }
    let mut lines = Vec::with_capacity(raw.len());
    for (i, l) in raw.into_iter().enumerate() {
        match decode_gb18030(l) {
            Some(s) => lines.push(s),
            None => {
                return Err(enc_err(i + 1, "neither UTF-8 nor GBK/GB18030 text"));
            }
        }
    }
    Ok((lines, "gbk"))
}

struct HeaderKey {
    key: String,
    value: String,
    line: usize,
}

struct Ctx {
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Ctx {
    fn err(&mut self, line: usize, code: &'static str, message: impl Into<String>) {
        self.errors.push(Diagnostic {
            line,
            code,
            message: message.into(),
        });
    }
    fn warn(&mut self, line: usize, code: &'static str, message: impl Into<String>) {
        self.warnings.push(Diagnostic {
            line,
            code,
            message: message.into(),
        });
    }
}

/// A point line as parsed, before the file's decimal unit is known.
struct RawPoint {
    name: String,
    ring: u64,
    x: Dec,
    y: Dec,
    line: usize,
}

struct RawParcel {
    header_line: usize,
    id: String,
    name: String,
    shape: Shape,
    sheet: String,
    land_use: String,
    class_code: String,
    declared_count: Option<u64>,
    declared_area: Option<Dec>,
    declared_area_text: String,
    point_lines: usize,
    points: Vec<RawPoint>,
}

const CRS_NAMES: &[&str] = &[
    "2000国家大地坐标系",
    "国家2000大地坐标系",
    "2000国家坐标系",
    "国家2000坐标系",
    "cgcs2000",
    "cgcs 2000",
    "china geodetic coordinate system 2000",
];
const PROJ_NAMES: &[&str] = &[
    "高斯克吕格",
    "高斯克吕格投影",
    "高斯投影",
    "gausskruger",
    "gausskrüger",
    "gausskrueger",
    "transversemercator",
];
const UNIT_NAMES: &[&str] = &["米", "m", "metre", "meter", "metres", "meters"];

fn section_of(line: &str) -> Option<&'static str> {
    match line {
        "[属性描述]" | "【属性描述】" => Some("attr"),
        "[地块坐标]" | "【地块坐标】" => Some("coords"),
        _ => None,
    }
}

/// Parse a coordinate TXT file. On success the file (with its warnings); otherwise every error,
/// in line order.
pub fn parse(bytes: &[u8]) -> Result<TxtFile, Vec<Diagnostic>> {
    let (lines, encoding) = decode(bytes).map_err(|d| vec![d])?;
    let mut cx = Ctx {
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut keys: Vec<HeaderKey> = Vec::new();
    let mut parcels: Vec<RawParcel> = Vec::new();
    let (mut attr_seen, mut coords_seen) = (false, false);
    let mut section = "";
    let mut last_nonblank = 0;
    let mut first_prefix: Option<(Option<i64>, usize)> = None;
    let mut prefix_mixed_reported = false;
    let mut n_headers = 0usize;

    for (i, raw) in lines.iter().enumerate() {
        let ln = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        last_nonblank = ln;
        if let Some(s) = section_of(line) {
            match s {
                "attr" if attr_seen || coords_seen => {
                    cx.err(ln, "E-SECTION", "[属性描述] repeated or after [地块坐标]")
                }
                "attr" => {
                    attr_seen = true;
                    section = "attr";
                }
                _ if coords_seen => cx.err(ln, "E-SECTION", "[地块坐标] repeated"),
                _ => {
                    coords_seen = true;
                    section = "coords";
                }
            }
            continue;
        }
        match section {
            "attr" => {
                let Some((k, v)) = line.split_once('=') else {
                    cx.err(
                        ln,
                        "E-HEADER-SYNTAX",
                        format!("header line {line:?} has no '='"),
                    );
                    continue;
                };
                let (k, v) = (k.trim(), v.trim());
                if v.is_empty() {
                    continue;
                }
                if let Some(prev) = keys.iter().find(|h| h.key == k) {
                    if prev.value != v {
                        cx.err(
                            ln,
                            "E-HEADER-DUP",
                            format!(
                                "{k} given twice with different values ({:?} at line {}, {v:?})",
                                prev.value, prev.line
                            ),
                        );
                    }
                    continue;
                }
                keys.push(HeaderKey {
                    key: k.to_string(),
                    value: v.to_string(),
                    line: ln,
                });
            }
            "coords" => {
                let f: Vec<&str> = line.split(',').map(str::trim).collect();
                let n = f.len();
                let is_at = f.last() == Some(&"@");
                // A header ends in '@'; a 7- or 8-field line is a header that lost its '@'.
                if is_at || n == 7 || n == 8 {
                    n_headers += 1;
                    let malformed = !is_at || !(n == 8 || n == 9);
                    if !is_at {
                        cx.err(
                            ln,
                            "E-HEADER-NO-AT",
                            format!("parcel header with {n} fields does not end in '@'"),
                        );
                    } else if malformed {
                        cx.err(
                            ln,
                            "E-HEADER-FIELDS",
                            format!(
                                "parcel header has {n} fields; expected 9 (or 8 without 地类编码)"
                            ),
                        );
                    }
                    let get = |k: usize| f.get(k).copied().unwrap_or("").to_string();
                    let mut p = RawParcel {
                        header_line: ln,
                        id: get(2),
                        name: get(3),
                        shape: Shape::Polygon,
                        sheet: get(5),
                        land_use: get(6),
                        class_code: if n == 9 { get(7) } else { String::new() },
                        declared_count: None,
                        declared_area: None,
                        declared_area_text: String::new(),
                        point_lines: 0,
                        points: Vec::new(),
                    };
                    if p.id.is_empty() {
                        p.id = n_headers.to_string();
                    }
                    if !malformed {
                        match parse_integer(f[0]) {
                            Some(c) => p.declared_count = Some(c),
                            None => cx.err(
                                ln,
                                "E-NUMBER",
                                format!("界址点数 {:?} is not an integer", f[0]),
                            ),
                        }
                        if !f[1].is_empty() {
                            match parse_decimal(f[1]) {
                                Some(d) => {
                                    p.declared_area = Some(d);
                                    p.declared_area_text = f[1].to_string();
                                }
                                None => cx.err(
                                    ln,
                                    "E-NUMBER",
                                    format!("地块面积 {:?} is not a decimal number", f[1]),
                                ),
                            }
                        }
                        p.shape = match f[4] {
                            "" | "面" => Shape::Polygon,
                            "线" => Shape::Line,
                            "点" => Shape::Point,
                            other => {
                                cx.err(
                                    ln,
                                    "E-SHAPE",
                                    format!("图形属性 {other:?} is not 面, 线 or 点"),
                                );
                                Shape::Polygon
                            }
                        };
                    }
                    parcels.push(p);
                } else if n == 4 {
                    let Some(parcel) = parcels.last_mut() else {
                        cx.err(
                            ln,
                            "E-NO-PARCEL-HEADER",
                            "point line before any parcel header (missing '@' line)",
                        );
                        continue;
                    };
                    parcel.point_lines += 1;
                    let ring = parse_integer(f[1]).filter(|&r| r >= 1);
                    let x = parse_decimal(f[2]);
                    let y = parse_decimal(f[3]);
                    let mut bad = Vec::new();
                    if ring.is_none() {
                        bad.push(format!("圈号 {:?} is not an integer ≥ 1", f[1]));
                    }
                    for (name, v, t) in [("X坐标", &x, f[2]), ("Y坐标", &y, f[3])] {
                        match v {
                            None => bad.push(format!("{name} {t:?} is not a decimal number")),
                            Some(d) if d.d > MAX_DECIMALS => bad.push(format!(
                                "{name} {t:?} has more than {MAX_DECIMALS} decimals"
                            )),
                            _ => {}
                        }
                    }
                    let (Some(ring), Some(x), Some(y)) = (ring, x, y) else {
                        cx.err(ln, "E-NUMBER", bad.join("; "));
                        continue;
                    };
                    if !bad.is_empty() {
                        cx.err(ln, "E-NUMBER", bad.join("; "));
                        continue;
                    }
                    let (xf, yf) = (as_f64(x), as_f64(y));
                    let prefix = (yf >= 1_000_000.0).then(|| (yf / 1_000_000.0).floor() as i64);
                    let east = yf - prefix.unwrap_or(0) as f64 * 1_000_000.0;
                    if !(xf > 0.0 && xf < 10_000_000.0 && (150_000.0..=850_000.0).contains(&east)) {
                        cx.err(
                            ln,
                            "E-COORD-RANGE",
                            format!("X {} / Y {} out of range (0 < X < 10 000 000, easting 150 000–850 000 without zone prefix); are X and Y swapped?", f[2], f[3]),
                        );
                    }
                    match first_prefix {
                        None => first_prefix = Some((prefix, ln)),
                        Some((p0, l0)) if p0 != prefix && !prefix_mixed_reported => {
                            prefix_mixed_reported = true;
                            let show = |p: Option<i64>| {
                                p.map_or("no prefix".to_string(), |p| format!("prefix {p}"))
                            };
                            cx.err(
                                ln,
                                "E-PREFIX-MIXED",
                                format!(
                                    "Y坐标 has {} but line {l0} has {}",
                                    show(prefix),
                                    show(p0)
                                ),
                            );
                        }
                        _ => {}
                    }
                    parcel.points.push(RawPoint {
                        name: f[0].to_string(),
                        ring,
                        x,
                        y,
                        line: ln,
                    });
                } else {
                    cx.err(ln, "E-FIELDS", format!("line has {n} fields; a point line has 4 (点号,圈号,X坐标,Y坐标) and a parcel header ends in '@'"));
                }
            }
            _ => cx.err(
                ln,
                "E-SECTION",
                "content before any section header ([属性描述] or [地块坐标])",
            ),
        }
    }
    if !coords_seen {
        let at = last_nonblank.max(1);
        cx.err(at, "E-SECTION", "no [地块坐标] section");
    } else if parcels.is_empty() {
        cx.err(
            last_nonblank.max(1),
            "E-NO-PARCEL",
            "[地块坐标] holds no parcel",
        );
    }

    // Header keys (§6.2).
    let key = |k: &str| keys.iter().find(|h| h.key == k);
    match key("坐标系") {
        None => cx.warn(0, "W-CRS-ASSUMED", "坐标系 missing; CGCS2000 assumed"),
        Some(h) => {
            if !CRS_NAMES.contains(&h.value.to_ascii_lowercase().as_str()) {
                cx.err(h.line, "E-CRS", format!("坐标系 {:?} is not CGCS2000; a datum transformation is needed and onemap does not guess one", h.value));
            }
        }
    }
    if let Some(h) = key("投影类型") {
        let norm: String = h
            .value
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{3000}' | '-' | '–' | '—' | '‐' | '·' | '_'))
            .collect::<String>()
            .to_ascii_lowercase();
        if !PROJ_NAMES.contains(&norm.as_str()) {
            cx.err(
                h.line,
                "E-PROJECTION",
                format!("投影类型 {:?} is not Gauss–Krüger", h.value),
            );
        }
    }
    if let Some(h) = key("计量单位") {
        if !UNIT_NAMES.contains(&h.value.to_ascii_lowercase().as_str()) {
            cx.err(
                h.line,
                "E-UNIT",
                format!("计量单位 {:?} is not metres", h.value),
            );
        }
    }
    let mut width: Option<u8> = None;
    if let Some(h) = key("几度分带") {
        match h.value.as_str() {
            "3" => width = Some(3),
            "6" => width = Some(6),
            v => cx.err(
                h.line,
                "E-ZONE-WIDTH",
                format!("几度分带 {v:?} is not 3 or 6"),
            ),
        }
    }
    let mut zone_key: Option<(u64, usize)> = None;
    if let Some(h) = key("带号") {
        match parse_integer(&h.value) {
            Some(z) => zone_key = Some((z, h.line)),
            None => cx.err(
                h.line,
                "E-NUMBER",
                format!("带号 {:?} is not an integer", h.value),
            ),
        }
    }
    if let Some(h) = key("转换参数") {
        if h.value.chars().any(|c| c != ',' && !c.is_whitespace()) {
            cx.warn(
                h.line,
                "W-PARAMS-IGNORED",
                format!(
                    "转换参数 {:?} ignored: onemap never applies transformation parameters",
                    h.value
                ),
            );
        }
    }

    // The zone (§6.2 "How the zone is found").
    let mut zone: Option<(u32, u8, bool)> = None;
    if let Some((prefix, first_line)) = first_prefix {
        let z = match (zone_key, prefix) {
            (Some((zk, zl)), Some(p)) if zk as i64 != p => {
                cx.err(
                    first_line,
                    "E-ZONE-MISMATCH",
                    format!("带号 {zk} (line {zl}) disagrees with the Y坐标 zone prefix {p}"),
                );
                None
            }
            (Some((zk, zl)), _) => Some((zk as i64, Some(zl))),
            (None, Some(p)) => Some((p, None)),
            (None, None) => {
                cx.err(
                    first_line,
                    "E-ZONE-UNKNOWN",
                    "no 带号 in the header and no zone prefix in Y坐标",
                );
                None
            }
        };
        if let Some((z, zl)) = z {
            let w = width.or(if (13..=23).contains(&z) {
                Some(6)
            } else if (25..=45).contains(&z) {
                Some(3)
            } else {
                None
            });
            let ok = match w {
                Some(3) => (25..=45).contains(&z),
                Some(6) => (13..=23).contains(&z),
                _ => false,
            };
            if ok {
                zone = w.map(|w| (z as u32, w, prefix.is_some()));
            } else {
                let msg = match w {
                    Some(w) => format!(
                        "zone {z} is not a {w}° zone ({})",
                        if w == 3 { "25–45" } else { "13–23" }
                    ),
                    None => format!("zone {z} is neither a 6° zone (13–23) nor a 3° zone (25–45)"),
                };
                cx.err(zl.unwrap_or(first_line), "E-ZONE-RANGE", msg);
            }
        }
    }

    // The file's smallest decimal unit.
    let dmax = parcels
        .iter()
        .flat_map(|p| p.points.iter())
        .map(|p| p.x.d.max(p.y.d))
        .max()
        .unwrap_or(0);

    let mut out_parcels = Vec::with_capacity(parcels.len());
    let mut seen_ids: Vec<(String, usize)> = Vec::new();
    for p in parcels {
        if let Some(c) = p.declared_count {
            if c != p.point_lines as u64 {
                cx.warn(
                    p.header_line,
                    "W-COUNT",
                    format!(
                        "界址点数 {c} but the parcel has {} point lines",
                        p.point_lines
                    ),
                );
            }
        }
        if seen_ids.iter().any(|(id, _)| *id == p.id) {
            cx.warn(
                p.header_line,
                "W-DUP-ID",
                format!("地块编号 {} repeated", p.id),
            );
        }
        seen_ids.push((p.id.clone(), p.header_line));
        if p.shape != Shape::Polygon {
            cx.warn(
                p.header_line,
                "W-NOT-POLYGON",
                format!("parcel {} is a {} parcel, skipped", p.id, p.shape.chinese()),
            );
        }
        let rings = group_rings(&p, dmax, &mut cx);
        let mut parcel = Parcel {
            id: p.id,
            name: p.name,
            shape: p.shape,
            sheet: p.sheet,
            land_use: p.land_use,
            class_code: p.class_code,
            declared_count: p.declared_count,
            declared_area_ha: p.declared_area.map(|_| p.declared_area_text),
            header_line: p.header_line,
            rings,
            area_cents: None,
        };
        if parcel.shape == Shape::Polygon {
            if p.point_lines == 0 {
                cx.err(
                    parcel.header_line,
                    "E-PARCEL-EMPTY",
                    format!("parcel {} has no point lines", parcel.id),
                );
            } else if check_polygon_rings(&mut parcel, dmax, &mut cx) {
                if let Some((z, w, prefixed)) = zone {
                    let cm = if w == 3 {
                        3 * z as i32
                    } else {
                        6 * z as i32 - 3
                    };
                    let fe = if prefixed {
                        z as f64 * 1e6 + 500_000.0
                    } else {
                        500_000.0
                    };
                    let frame = AreaFrame::GaussKruger {
                        cm_deg: cm,
                        false_easting: fe,
                    };
                    let area = sandiao::feature_area(
                        frame,
                        parcel
                            .rings
                            .iter()
                            .map(|r| (r.points.iter().map(|q| [q.y, q.x]), r.depth % 2 == 1)),
                    );
                    let cents = sandiao::to_cents(area);
                    parcel.area_cents = Some(cents);
                    if let Some(d) = p.declared_area {
                        let plane2 = plane_area2(&parcel, dmax);
                        if declared_area_differs(d, plane2, dmax, cents) {
                            cx.warn(
                                parcel.header_line,
                                "W-AREA",
                                format!(
                                    "地块面积 {} 公顷 matches neither the plane area {} 公顷 nor the sandiao area {} 公顷",
                                    parcel.declared_area_ha.as_deref().unwrap_or(""),
                                    fmt_plane_ha(plane2, dmax),
                                    onemap_geodesy::units::AreaUnit::Hectare.format(cents)
                                ),
                            );
                        }
                    }
                }
            }
        }
        out_parcels.push(parcel);
    }

    if !cx.errors.is_empty() {
        cx.errors.sort_by_key(|d| d.line);
        return Err(cx.errors);
    }
    let Some((zone, width, prefixed)) = zone else {
        // No point at all: only possible with errors above (E-NO-PARCEL / E-PARCEL-EMPTY) or
        // with 线/点 parcels without points.
        return Err(vec![Diagnostic {
            line: last_nonblank.max(1),
            code: "E-NO-PARCEL",
            message: "no polygon parcel with points".into(),
        }]);
    };
    cx.warnings.sort_by_key(|d| d.line);
    Ok(TxtFile {
        header: keys.into_iter().map(|h| (h.key, h.value)).collect(),
        zone,
        width,
        l0: if width == 3 {
            3 * zone as i32
        } else {
            6 * zone as i32 - 3
        },
        prefixed,
        encoding,
        parcels: out_parcels,
        warnings: cx.warnings,
    })
}

fn as_f64(d: Dec) -> f64 {
    // The decimal text parses to the nearest binary64, exactly as written.
    let s = d.m.to_string();
    let txt = if d.d == 0 {
        s
    } else {
        let pad = format!("{:0>width$}", s, width = d.d as usize + 1);
        let (i, f) = pad.split_at(pad.len() - d.d as usize);
        format!("{i}.{f}")
    };
    txt.parse().unwrap_or(f64::NAN)
}

/// Group a parcel's points into rings: a maximal run of one 圈号 is a ring; a 圈号 that comes
/// back after another is E-RING-ORDER (every parcel).
fn group_rings(p: &RawParcel, dmax: u32, cx: &mut Ctx) -> Vec<Ring> {
    let mut rings: Vec<Ring> = Vec::new();
    for q in &p.points {
        let pt = PointRec {
            name: q.name.clone(),
            x: as_f64(q.x),
            y: as_f64(q.y),
            line: q.line,
            xi: q.x.scaled(dmax),
            yi: q.y.scaled(dmax),
        };
        match rings.last_mut() {
            Some(r) if r.number == q.ring => r.points.push(pt),
            _ => {
                let again = rings.iter().any(|r| r.number == q.ring);
                if again {
                    cx.err(
                        q.line,
                        "E-RING-ORDER",
                        format!("圈号 {} resumes after another ring", q.ring),
                    );
                }
                rings.push(Ring {
                    number: q.ring,
                    points: vec![pt],
                    depth: 0,
                    parent: None,
                    out_of_order: again,
                });
            }
        }
    }
    rings
}

/// Twice the signed shoelace area of a ring, exact, in (10⁻ᵈ m)²; coordinates are translated to
/// the first vertex so that the products stay far inside i128.
fn shoelace2(pts: &[PointRec]) -> i128 {
    let Some(o) = pts.first() else { return 0 };
    let n = pts.len();
    let mut s: i128 = 0;
    for i in 0..n {
        let a = &pts[i];
        let b = &pts[(i + 1) % n];
        let (ax, ay) = (a.xi - o.xi, a.yi - o.yi);
        let (bx, by) = (b.xi - o.xi, b.yi - o.yi);
        s += ax * by - bx * ay;
    }
    s
}

/// Checks for the rings of a 面 parcel (closure, degeneracy, duplicates, containment); sets each
/// ring's depth. Returns whether the rings are valid.
fn check_polygon_rings(parcel: &mut Parcel, _dmax: u32, cx: &mut Ctx) -> bool {
    let mut ok = true;
    for r in &parcel.rings {
        if r.out_of_order {
            ok = false;
            continue;
        }
        let (Some(first), Some(last)) = (r.points.first(), r.points.last()) else {
            continue;
        };
        if first.xi != last.xi || first.yi != last.yi {
            ok = false;
            cx.err(
                last.line,
                "E-RING-OPEN",
                format!(
                    "ring {} is not closed: its last point differs from its first (line {})",
                    r.number, first.line
                ),
            );
        }
        let mut distinct: Vec<(i128, i128)> = r.points.iter().map(|p| (p.xi, p.yi)).collect();
        distinct.sort_unstable();
        distinct.dedup();
        if r.points.len() < 4 || distinct.len() < 3 || shoelace2(&r.points) == 0 {
            ok = false;
            cx.err(
                first.line,
                "E-RING-DEGENERATE",
                format!(
                    "ring {} has {} point lines and {} distinct points, or zero area",
                    r.number,
                    r.points.len(),
                    distinct.len()
                ),
            );
        }
    }
    if !ok {
        return false;
    }
    // Vertex cycles without the closing vertex, in doubled coordinates (so that edge midpoints
    // are integers too).
    let cycles: Vec<Vec<(i128, i128)>> = parcel
        .rings
        .iter()
        .map(|r| {
            r.points[..r.points.len() - 1]
                .iter()
                .map(|p| (2 * p.xi, 2 * p.yi))
                .collect()
        })
        .collect();
    let n = cycles.len();
    let mut dup = vec![false; n];
    let dup_err = |cx: &mut Ctx, r: usize, verb: &str, s: usize| {
        let (rr, rs) = (&parcel.rings[r], &parcel.rings[s]);
        cx.err(
            rr.points[0].line,
            "E-RING-DUPLICATE",
            format!("ring {} {verb} ring {}", rr.number, rs.number),
        );
    };
    for s in 0..n {
        for r in 0..s {
            if !dup[r] && same_cycle(&cycles[r], &cycles[s]) {
                dup[s] = true;
                dup_err(cx, s, "repeats", r);
            }
        }
    }
    let mut depth = vec![0usize; n];
    let mut contains: Vec<Vec<usize>> = vec![Vec::new(); n];
    for r in 0..n {
        if dup[r] {
            continue;
        }
        for s in 0..n {
            if s == r || dup[s] {
                continue;
            }
            match test_point_off(&cycles[r], &cycles[s]) {
                None => {
                    dup[r] = true;
                    dup_err(cx, r, "retraces", s);
                    break;
                }
                Some(p) => {
                    if inside_even_odd(p, &cycles[s]) {
                        depth[r] += 1;
                        contains[r].push(s);
                    }
                }
            }
        }
    }
    if dup.iter().any(|&d| d) {
        return false;
    }
    for (r, ring) in parcel.rings.iter_mut().enumerate() {
        ring.depth = depth[r];
        // A hole belongs to the smallest ring containing it: the container one level up.
        ring.parent = contains[r]
            .iter()
            .copied()
            .find(|&s| depth[s] + 1 == depth[r]);
    }
    true
}

/// Whether two vertex cycles are equal up to start vertex and direction.
fn same_cycle(a: &[(i128, i128)], b: &[(i128, i128)]) -> bool {
    let n = a.len();
    if n != b.len() || n == 0 {
        return false;
    }
    (0..n).filter(|&k| b[k] == a[0]).any(|k| {
        (0..n).all(|i| a[i] == b[(k + i) % n]) || (0..n).all(|i| a[i] == b[(k + n - i) % n])
    })
}

/// The first vertex of `r`, then the first edge midpoint of `r`, that is not on the boundary of
/// `s` (doubled coordinates); `None` if every one is on it.
fn test_point_off(r: &[(i128, i128)], s: &[(i128, i128)]) -> Option<(i128, i128)> {
    let n = r.len();
    // In doubled coordinates A = 2a, B = 2b the midpoint a + b = (A + B)/2 is exact.
    let mid = |i: usize| {
        let (a, b) = (r[i], r[(i + 1) % n]);
        ((a.0 + b.0) / 2, (a.1 + b.1) / 2)
    };
    r.iter()
        .copied()
        .chain((0..n).map(mid))
        .find(|&p| !on_boundary(p, s))
}

fn on_boundary(p: (i128, i128), s: &[(i128, i128)]) -> bool {
    let n = s.len();
    (0..n).any(|i| {
        let (a, b) = (s[i], s[(i + 1) % n]);
        let cross = (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0);
        cross == 0
            && p.0 >= a.0.min(b.0)
            && p.0 <= a.0.max(b.0)
            && p.1 >= a.1.min(b.1)
            && p.1 <= a.1.max(b.1)
    })
}

fn inside_even_odd(p: (i128, i128), s: &[(i128, i128)]) -> bool {
    let n = s.len();
    let mut inside = false;
    for i in 0..n {
        let (a, b) = (s[i], s[(i + 1) % n]);
        if (a.1 > p.1) != (b.1 > p.1) {
            let o = (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0);
            if (b.1 > a.1 && o > 0) || (b.1 < a.1 && o < 0) {
                inside = !inside;
            }
        }
    }
    inside
}

/// Twice the plane area in (10⁻ᵈ m)², rings signed by depth (§6.3).
fn plane_area2(parcel: &Parcel, _dmax: u32) -> i128 {
    parcel
        .rings
        .iter()
        .map(|r| {
            let a = shoelace2(&r.points).abs();
            if r.depth % 2 == 1 {
                -a
            } else {
                a
            }
        })
        .sum()
}

fn fmt_plane_ha(plane2: i128, d: u32) -> String {
    // plane2 / (2·10^(2d)) m² → 公顷 with 4 decimals (units of 1 m²).
    let den = 2 * 10i128.pow(2 * d);
    onemap_geodesy::units::fixed(onemap_geodesy::units::q(plane2, den), 4)
}

/// W-AREA test of §6.3, exactly: |D − P| > T and |D − S| > T with T = ½·10⁴⁻ᵏ m².
fn declared_area_differs(d: Dec, plane2: i128, dmax: u32, cents: i64) -> bool {
    // Common denominator L = 2·10^(2d)·10^k·100.
    let exact = || -> Option<bool> {
        let p2d = 10i128.checked_pow(2 * dmax)?;
        let pk = 10i128.checked_pow(d.d)?;
        let dl =
            d.m.checked_mul(10_000)?
                .checked_mul(2)?
                .checked_mul(p2d)?
                .checked_mul(100)?;
        let pl = plane2.checked_mul(pk)?.checked_mul(100)?;
        let sl = (cents as i128)
            .checked_mul(2)?
            .checked_mul(p2d)?
            .checked_mul(pk)?;
        let tl = 10_000i128.checked_mul(p2d)?.checked_mul(100)?;
        Some((dl - pl).abs() > tl && (dl - sl).abs() > tl)
    };
    exact().unwrap_or_else(|| {
        let dm = d.m as f64 / 10f64.powi(d.d as i32) * 10_000.0;
        let p = plane2 as f64 / (2.0 * 10f64.powi(2 * dmax as i32));
        let s = cents as f64 / 100.0;
        let t = 0.5 * 10f64.powi(4 - d.d as i32);
        (dm - p).abs() > t && (dm - s).abs() > t
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_and_integers() {
        assert_eq!(parse_decimal("12.345"), Some(Dec { m: 12345, d: 3 }));
        assert_eq!(parse_decimal("12"), Some(Dec { m: 12, d: 0 }));
        for bad in [
            "",
            ".5",
            "5.",
            "-1",
            "+1",
            "1e5",
            "1,000",
            "inf",
            "NaN",
            "4761000.0O0",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
        assert_eq!(parse_integer("01"), Some(1));
        assert_eq!(parse_integer("000"), Some(0));
        assert_eq!(parse_integer("-1"), None);
    }

    #[test]
    fn lines_split_at_every_line_end() {
        assert_eq!(
            split_lines(b"a\r\nb\rc\nd"),
            vec![&b"a"[..], b"b", b"c", b"d"]
        );
        assert_eq!(split_lines(b"a\n\n"), vec![&b"a"[..], b""]);
    }

    #[test]
    fn gb18030_is_strict() {
        assert_eq!(decode_gb18030(&[0xB5, 0xD8]).as_deref(), Some("地"));
        assert_eq!(decode_gb18030(&[0x80]), None);
        assert_eq!(decode_gb18030(&[0xB5]), None);
        assert_eq!(decode_gb18030(&[0xFF, 0x41]), None);
    }
}
