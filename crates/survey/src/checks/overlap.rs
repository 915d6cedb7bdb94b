//! G-W02 同层要素重叠.
//!
//! ## What it checks
//! Features of a kind that must not overlap (DESIGN §4: dltb, the control lines, plan zones,
//! administrative units) share no area above `overlap_min_m2` (0.01 m²). Neighbours that only
//! share an edge or a vertex are fine.
//!
//! ## Why
//! Patches tile the county; an overlap counts the same land twice (standards §4.1.4 makes it a
//! warning).
//!
//! ## How
//! Candidate pairs come from an R-tree of bounding boxes. A pair whose boundaries do not cross
//! properly and where no vertex of one lies strictly inside the other cannot overlap, unless one
//! repeats the other; only the remaining pairs are intersected (geo's boolean operations) and
//! measured with the `sandiao` method.
//!
//! ## Example
//! The same patch delivered twice → warning naming both features and the shared area.

use super::{Check, Finding, Options, Record, Severity};
use geo::{BooleanOps, Contains};
use geo_types::{Coord, MultiPolygon, Point};
use onemap_formats::Geometry;
use onemap_geodesy::sandiao::{self, AreaFrame};
use rstar::{RTree, RTreeObject, AABB};

struct Item {
    index: u64,
    bbox: [f64; 4],
    geom: MultiPolygon<f64>,
}

struct Envelope {
    slot: usize,
    aabb: AABB<[f64; 2]>,
}

impl RTreeObject for Envelope {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.aabb
    }
}

struct Overlap {
    items: Vec<Item>,
    min_m2: f64,
}

pub(super) fn make(o: &Options) -> Box<dyn Check> {
    Box::new(Overlap {
        items: Vec::new(),
        min_m2: o.overlap_min_m2,
    })
}

impl Check for Overlap {
    fn feature(&mut self, r: &Record, _out: &mut Vec<Finding>) {
        let mp = match r.lonlat {
            Some(Geometry::Polygon(p)) => MultiPolygon(vec![p.clone()]),
            Some(Geometry::MultiPolygon(m)) => m.clone(),
            _ => return,
        };
        let Some(bbox) = onemap_formats::model::bbox(&Geometry::MultiPolygon(mp.clone())) else {
            return;
        };
        self.items.push(Item {
            index: r.index,
            bbox,
            geom: mp,
        });
    }

    fn finish(&mut self, out: &mut Vec<Finding>) {
        let tree = RTree::bulk_load(
            self.items
                .iter()
                .enumerate()
                .map(|(slot, it)| Envelope {
                    slot,
                    aabb: AABB::from_corners([it.bbox[0], it.bbox[1]], [it.bbox[2], it.bbox[3]]),
                })
                .collect(),
        );
        // The candidate pairs on every core, each thread a stripe of the features.
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let (items, tree, min_m2) = (&self.items, &tree, self.min_m2);
        let parts: Vec<Vec<Finding>> = std::thread::scope(|sc| {
            let hs: Vec<_> = (0..threads)
                .map(|t| {
                    sc.spawn(move || {
                        let mut out = Vec::new();
                        for i in (t..items.len()).step_by(threads) {
                            overlaps_of(items, tree, i, min_m2, &mut out);
                        }
                        out
                    })
                })
                .collect();
            hs.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        out.extend(parts.into_iter().flatten());
    }
}

/// G-W02 findings of feature `i` with the later features it overlaps.
fn overlaps_of(
    items: &[Item],
    tree: &RTree<Envelope>,
    i: usize,
    min_m2: f64,
    out: &mut Vec<Finding>,
) {
    let a = &items[i];
    let env = AABB::from_corners([a.bbox[0], a.bbox[1]], [a.bbox[2], a.bbox[3]]);
    for e in tree.locate_in_envelope_intersecting(&env) {
        if e.slot <= i {
            continue;
        }
        let b = &items[e.slot];
        if !may_overlap(&a.geom, &b.geom) {
            continue;
        }
        let shared = a.geom.intersection(&b.geom);
        let area = sandiao::feature_area(
            AreaFrame::LonLat,
            shared
                .0
                .iter()
                .flat_map(|p| {
                    std::iter::once((p.exterior(), false))
                        .chain(p.interiors().iter().map(|h| (h, true)))
                })
                .map(|(r, h)| (r.0.iter().map(|c| [c.x, c.y]), h)),
        );
        if area > min_m2 {
            out.push(Finding {
                severity: Severity::Warning,
                check: "G-W02",
                feature: Some(a.index),
                field: None,
                message: format!("overlaps feature {} by {:.2} m²", b.index, area),
            });
        }
    }
}

fn segments(m: &MultiPolygon<f64>) -> impl Iterator<Item = (Coord<f64>, Coord<f64>)> + '_ {
    m.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.0.windows(2).map(|w| (w[0], w[1])))
}

fn orient(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

/// Whether two valid polygons can share area: their boundaries cross properly, or a vertex of
/// one is strictly inside the other, or one's vertices all lie on the other's boundary (a
/// repeated or nested patch).
fn may_overlap(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> bool {
    // The pretest compares every pair of segments: for large polygons (administrative units)
    // the boolean intersection itself, O((n + m) log(n + m)), is cheaper.
    if segments(a).count() * segments(b).count() > 250_000 {
        return true;
    }
    let bb =
        |p: Coord<f64>, q: Coord<f64>| (p.x.min(q.x), p.y.min(q.y), p.x.max(q.x), p.y.max(q.y));
    // (start, end, bounding box) of each segment of b.
    type Seg = (Coord<f64>, Coord<f64>, (f64, f64, f64, f64));
    let sb: Vec<Seg> = segments(b).map(|(r, s)| (r, s, bb(r, s))).collect();
    for (p, q) in segments(a) {
        let e = bb(p, q);
        for &(r, s, f) in &sb {
            if f.0 > e.2 || f.2 < e.0 || f.1 > e.3 || f.3 < e.1 {
                continue;
            }
            let (d1, d2) = (orient(r, s, p), orient(r, s, q));
            let (d3, d4) = (orient(p, q, r), orient(p, q, s));
            if d1 * d2 < 0.0 && d3 * d4 < 0.0 {
                return true;
            }
        }
    }
    // A vertex, or an edge midpoint, of one strictly inside the other (a nested patch whose
    // vertices all lie on the other's boundary still has an edge through its interior).
    let inside = |x: &MultiPolygon<f64>, y: &MultiPolygon<f64>| {
        segments(x).any(|(p, q)| {
            y.contains(&Point(p))
                || y.contains(&Point(Coord {
                    x: (p.x + q.x) / 2.0,
                    y: (p.y + q.y) / 2.0,
                }))
        })
    };
    if inside(a, b) || inside(b, a) {
        return true;
    }
    // What is left: one repeats the other exactly.
    let mut va: Vec<(u64, u64)> = segments(a)
        .map(|(p, _)| (p.x.to_bits(), p.y.to_bits()))
        .collect();
    let mut vb: Vec<(u64, u64)> = segments(b)
        .map(|(p, _)| (p.x.to_bits(), p.y.to_bits()))
        .collect();
    va.sort_unstable();
    vb.sort_unstable();
    va == vb
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    fn mp(p: geo_types::Polygon<f64>) -> MultiPolygon<f64> {
        MultiPolygon(vec![p])
    }

    #[test]
    fn neighbours_do_not_overlap_duplicates_do() {
        let a =
            mp(polygon![(x: 0.0, y: 0.0), (x: 0.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0)]);
        let b =
            mp(polygon![(x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 0.0)]);
        let c =
            mp(polygon![(x: 0.5, y: 0.5), (x: 0.5, y: 1.5), (x: 1.5, y: 1.5), (x: 1.5, y: 0.5)]);
        assert!(!may_overlap(&a, &b));
        assert!(may_overlap(&a, &a.clone()));
        assert!(may_overlap(&a, &c));
        let inner =
            mp(polygon![(x: 0.0, y: 0.0), (x: 0.0, y: 1.0), (x: 0.5, y: 1.0), (x: 0.5, y: 0.0)]);
        assert!(may_overlap(&a, &inner));
    }
}
