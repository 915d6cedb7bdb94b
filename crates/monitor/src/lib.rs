//! Change monitoring between survey years (动态监测预警): the overlay of two survey layers, its
//! pieces adjusted to the later year's official areas (面积平差), the land-use transition matrix
//! per county and for the city, and the alerts for changes that break the plan.
//!
//! Most patches keep their geometry from one year to the next; a patch with an identical
//! predecessor is one piece and needs no overlay at all.

pub mod rules;

use geo_types::MultiPolygon;
use onemap_overlay::overlap::{overlap_area, Shape};
use onemap_overlay::{apportion, clip, Layer, Snapshot};
use onemap_plan::Plan;
use onemap_survey::Kind;
use rules::{Scope, Side};
use serde::Serialize;
use std::collections::BTreeMap;

/// One piece of the overlay: the part of a later patch that lay in one earlier patch.
#[derive(Clone, Copy, Debug)]
pub struct Piece {
    /// Earlier patch (`None`: outside the earlier survey's coverage).
    pub from: Option<u32>,
    /// Later patch.
    pub to: u32,
    /// Area, cents, adjusted to the later patch's TBMJ.
    pub cents: i64,
    /// Share of the earlier patch's KCMJ, cents.
    pub kc_from: i64,
    /// Share of the later patch's KCMJ, cents.
    pub kc_to: i64,
    /// Whether the two patches have the same geometry (the piece is the whole patch).
    pub identical: bool,
    /// Unrounded `sandiao` area of the piece.
    pub raw: f64,
}

/// An area flow between two classes.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Transition {
    /// Class before.
    pub from: String,
    /// Class after.
    pub to: String,
    /// Area, m².
    pub area_m2: f64,
}

/// The transitions of one county.
#[derive(Clone, Debug, Serialize)]
pub struct UnitTransitions {
    /// County code.
    pub code: String,
    /// County name.
    pub name: String,
    /// Flows, by class before and after.
    pub transitions: Vec<Transition>,
}

/// One alert: a changed piece that breaks (or, for a positive rule, serves) the plan.
#[derive(Clone, Debug, Serialize)]
pub struct Alert {
    /// Stable id: rule, earlier and later patch BSM.
    pub id: String,
    /// Rule id.
    pub rule: String,
    /// Rule name.
    pub name: String,
    /// high, medium, low, positive.
    pub severity: String,
    /// County code.
    pub unit: String,
    /// Township code (first 9 digits of ZLDWDM).
    pub township: String,
    /// Area the rule counts, m².
    pub area_m2: f64,
    /// DLBM before.
    pub from_dlbm: String,
    /// DLBM after.
    pub to_dlbm: String,
    /// BSM of the earlier patch.
    pub from_bsm: String,
    /// BSM of the later patch.
    pub to_bsm: String,
    /// Not in the previous run for the same years.
    pub new: bool,
    /// The changed piece (lon/lat).
    #[serde(skip)]
    pub geometry: MultiPolygon<f64>,
}

/// The result of a monitoring run (the JSON shape of `onemap monitor`).
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Earlier year.
    pub from: i32,
    /// Later year.
    pub to: i32,
    /// 1 (一级类) or 2 (DLBM).
    pub level: u8,
    /// City-wide flows.
    pub transitions: Vec<Transition>,
    /// Per county.
    pub units: Vec<UnitTransitions>,
    /// Alerts, largest first within each rule.
    pub alerts: Vec<Alert>,
    /// Pieces of the overlay.
    pub pieces: usize,
    /// Pieces whose class changed.
    pub changed: usize,
    /// Later patches compared without any overlay (identical geometry).
    pub identical: usize,
}

fn fields(l: &Layer) -> [Option<usize>; 6] {
    [
        l.field("DLBM"),
        l.field("CZCSXM"),
        l.field("TBMJ"),
        l.field("KCMJ"),
        l.field("ZLDWDM"),
        l.field("BSM"),
    ]
}

/// The overlay of two survey layers, pieces adjusted to `b`'s areas. `b`'s patches are
/// processed on every core.
pub fn overlay(a: &Layer, b: &Layer) -> Vec<Piece> {
    let n = b.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, |x| x.get())
        .min(8);
    let chunk = n.div_ceil(threads.max(1)).max(1);
    let mut pieces: Vec<Piece> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| s.spawn(move || overlay_range(a, b, start..(start + chunk).min(n))))
            .collect();
        hs.into_iter()
            .filter_map(|h| h.join().ok())
            .flatten()
            .collect()
    });
    // Each earlier patch's KCMJ shared among its pieces (the rest of it, if the later survey
    // does not cover all of it, keeps the remainder).
    let [_, _, a_tbmj, a_kcmj, _, _] = fields(a);
    pieces.sort_by_key(|p| (p.from.unwrap_or(u32::MAX), p.to));
    let mut k = 0;
    while k < pieces.len() {
        let Some(i) = pieces[k].from else { break };
        let mut e = k;
        while e < pieces.len() && pieces[e].from == Some(i) {
            e += 1;
        }
        let kcmj = a_kcmj.and_then(|f| a.cents(f, i)).unwrap_or(0);
        if kcmj > 0 {
            let tbmj = a_tbmj.and_then(|f| a.cents(f, i)).unwrap_or(0);
            let mut w: Vec<f64> = pieces[k..e].iter().map(|p| p.cents as f64).collect();
            let covered: i64 = pieces[k..e].iter().map(|p| p.cents).sum();
            w.push((tbmj - covered).max(0) as f64);
            let shares = apportion(kcmj, &w);
            for (p, s) in pieces[k..e].iter_mut().zip(shares) {
                p.kc_from = s.min(p.cents);
            }
        }
        k = e;
    }
    pieces
}

fn overlay_range(a: &Layer, b: &Layer, range: std::ops::Range<usize>) -> Vec<Piece> {
    let [_, _, b_tbmj, b_kcmj, _, _] = fields(b);
    let mut out = Vec::new();
    for j in range.start as u32..range.end as u32 {
        let sj = Shape::of(b, j);
        let whole = b.area(j);
        let tbmj = b_tbmj
            .and_then(|f| b.cents(f, j))
            .unwrap_or_else(|| onemap_geodesy::sandiao::to_cents(whole));
        let kcmj = b_kcmj.and_then(|f| b.cents(f, j)).unwrap_or(0);
        let bb = b.bbox(j);
        let cands: Vec<u32> = a
            .query(bb)
            .filter(|&i| clip::boxes_overlap(a.bbox(i), bb))
            .collect();
        // The common case: the same patch last year (survey layers have no overlaps, so
        // nothing else can overlap it).
        let same = cands
            .iter()
            .copied()
            .find(|&i| a.bbox(i) == bb && overlap_area(&sj, &Shape::of(a, i)) == whole);
        let raws: Vec<(Option<u32>, f64)> = match same {
            Some(i) => vec![(Some(i), whole)],
            None => {
                let mut v: Vec<(Option<u32>, f64)> = cands
                    .iter()
                    .filter_map(|&i| {
                        let r = overlap_area(&sj, &Shape::of(a, i));
                        (r > 0.0).then_some((Some(i), r))
                    })
                    .collect();
                let rest = whole - v.iter().map(|x| x.1).sum::<f64>();
                // Land the earlier survey did not cover; below half a cent it is the rounding
                // of the two layers' shared boundaries.
                if rest > 0.005 {
                    v.push((None, rest));
                }
                v
            }
        };
        let w: Vec<f64> = raws.iter().map(|r| r.1).collect();
        let cents = apportion(tbmj, &w);
        let kc: Vec<i64> = if kcmj > 0 {
            apportion(kcmj, &cents.iter().map(|c| *c as f64).collect::<Vec<_>>())
        } else {
            vec![0; cents.len()]
        };
        for ((r, c), k) in raws.iter().zip(&cents).zip(&kc) {
            out.push(Piece {
                from: r.0,
                to: j,
                cents: *c,
                kc_from: 0,
                kc_to: *k,
                identical: same.is_some(),
                raw: r.1,
            });
        }
    }
    out
}

/// A class code at a level: 2 the DLBM (extension codes to their base class), 1 the 一级类.
pub fn class_code(dlbm: &str, level: u8) -> String {
    match onemap_survey::classes::class_of(dlbm) {
        Some(c) if level == 1 => c.level1.to_string(),
        Some(c) => c.code.to_string(),
        None if dlbm.is_empty() => "未调查".into(),
        None => dlbm.to_string(),
    }
}

fn cents_m2(c: i64) -> f64 {
    c as f64 / 100.0
}

/// Run the monitoring between two survey years held by the Snapshot (with the control layers
/// the alert rules need). `previous` holds the alert ids of the previous run for the same
/// years, to mark the new ones.
pub fn monitor(
    snap: &Snapshot,
    from: i32,
    to: i32,
    plan: &Plan,
    level: u8,
    previous: &std::collections::HashSet<String>,
) -> Result<Report, String> {
    let a = snap
        .survey(from)
        .ok_or_else(|| format!("no 地类图斑 survey of {from} is loaded"))?;
    let b = snap
        .survey(to)
        .ok_or_else(|| format!("no 地类图斑 survey of {to} is loaded"))?;
    let mut active = Vec::new();
    for r in &plan.monitor.alerts {
        let imp = rules::rule(&r.id)
            .ok_or_else(|| format!("plan file: alert rule {:?} has no implementation", r.id))?;
        active.push((r, imp));
    }
    let pieces = overlay(a, b);
    let [a_dlbm, a_cz, _, _, _, a_bsm] = fields(a);
    let [b_dlbm, b_cz, _, _, b_zl, b_bsm] = fields(b);
    let text = |l: &Layer, f: Option<usize>, i: u32| {
        f.map(|f| l.text(f, i).into_owned()).unwrap_or_default()
    };
    let kc_code = class_code("1203", level);
    let mut flows: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    let mut alerts = Vec::new();
    let mut changed = 0;
    let min_cents = (plan.monitor.min_area_m2 * 100.0).round() as i64;
    for p in &pieces {
        let from_dlbm = p.from.map(|i| text(a, a_dlbm, i)).unwrap_or_default();
        let to_dlbm = text(b, b_dlbm, p.to);
        let zl = text(b, b_zl, p.to);
        let unit = zl.get(..6).unwrap_or("").to_string();
        let (f, t) = (class_code(&from_dlbm, level), class_code(&to_dlbm, level));
        // The piece's 田坎 on each side, coupled so that both margins hold.
        let (kf, kt) = (p.kc_from, p.kc_to);
        let tt = (p.cents - kf).min(p.cents - kt);
        let kk = kf.min(kt);
        for (x, y, v) in [
            (&f, &t, tt),
            (&kc_code, &kc_code, kk),
            (&f, &kc_code, p.cents - kf - tt),
            (&kc_code, &t, kf - kk),
        ] {
            if v != 0 {
                *flows
                    .entry((unit.clone(), x.clone(), y.clone()))
                    .or_default() += v;
            }
        }
        let from_cz = p.from.map(|i| text(a, a_cz, i)).unwrap_or_default();
        let to_cz = text(b, b_cz, p.to);
        if from_dlbm == to_dlbm && from_cz == to_cz {
            continue;
        }
        changed += 1;
        let Some(i) = p.from else { continue };
        let (sa, sb) = (
            Side {
                dlbm: &from_dlbm,
                czcsxm: &from_cz,
            },
            Side {
                dlbm: &to_dlbm,
                czcsxm: &to_cz,
            },
        );
        let mut geometry: Option<MultiPolygon<f64>> = None;
        for (r, imp) in &active {
            if !imp.matches(sa, sb, &plan.classes) {
                continue;
            }
            let g = geometry.get_or_insert_with(|| {
                if p.identical {
                    b.polygons(p.to)
                } else {
                    clip::intersection(&a.polygons(i), &b.polygons(p.to))
                }
            });
            let area = match imp.scope() {
                Scope::Anywhere => p.cents,
                Scope::Inside(k) => inside(snap, k, g, p),
                Scope::Outside(k) => p.cents - inside(snap, k, g, p),
            };
            if area < min_cents || area <= 0 {
                continue;
            }
            let (fb, tb) = (text(a, a_bsm, i), text(b, b_bsm, p.to));
            let id = format!("{}-{}-{}", r.id, fb, tb);
            alerts.push(Alert {
                new: !previous.contains(&id),
                id,
                rule: r.id.clone(),
                name: r.name.clone(),
                severity: r.severity.clone(),
                unit: unit.clone(),
                township: zl.get(..9).unwrap_or("").to_string(),
                area_m2: cents_m2(area),
                from_dlbm: from_dlbm.clone(),
                to_dlbm: to_dlbm.clone(),
                from_bsm: fb,
                to_bsm: tb,
                geometry: g.clone(),
            });
        }
    }
    alerts.sort_by(|x, y| {
        x.rule
            .cmp(&y.rule)
            .then(y.area_m2.total_cmp(&x.area_m2))
            .then(x.id.cmp(&y.id))
    });
    let mut city: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut per: BTreeMap<String, Vec<Transition>> = BTreeMap::new();
    for ((u, f, t), v) in &flows {
        *city.entry((f.clone(), t.clone())).or_default() += v;
        per.entry(u.clone()).or_default().push(Transition {
            from: f.clone(),
            to: t.clone(),
            area_m2: cents_m2(*v),
        });
    }
    Ok(Report {
        from,
        to,
        level,
        transitions: city
            .into_iter()
            .map(|((f, t), v)| Transition {
                from: f,
                to: t,
                area_m2: cents_m2(v),
            })
            .collect(),
        units: per
            .into_iter()
            .map(|(code, transitions)| UnitTransitions {
                name: onemap_survey::county_name(&code).unwrap_or("").to_string(),
                code,
                transitions,
            })
            .collect(),
        alerts,
        identical: pieces.iter().filter(|p| p.identical).count(),
        pieces: pieces.len(),
        changed,
    })
}

/// The part of a piece inside a control layer, cents (its share of the piece's area).
fn inside(snap: &Snapshot, kind: Kind, g: &MultiPolygon<f64>, p: &Piece) -> i64 {
    let Some(l) = snap.layer(kind) else { return 0 };
    let rings: Vec<(Vec<[f64; 2]>, bool)> =
        g.0.iter()
            .flat_map(|poly| {
                std::iter::once((poly.exterior(), false))
                    .chain(poly.interiors().iter().map(|r| (r, true)))
            })
            .map(|(r, h)| {
                let mut v: Vec<[f64; 2]> = r.0.iter().map(|c| [c.x, c.y]).collect();
                if v.len() > 1 && v.first() == v.last() {
                    v.pop();
                }
                (v, h)
            })
            .collect();
    let raw = clip::area(g);
    if raw <= 0.0 {
        return 0;
    }
    let s = Shape::new(rings.iter().map(|(r, h)| (r.as_slice(), *h)).collect(), raw);
    let bb = s.bbox();
    let inside: f64 = l
        .query(bb)
        .filter(|&j| clip::boxes_overlap(l.bbox(j), bb))
        .map(|j| overlap_area(&s, &Shape::of(l, j)))
        .sum();
    if inside >= raw {
        p.cents
    } else {
        apportion(p.cents, &[inside, raw - inside])[0]
    }
}
