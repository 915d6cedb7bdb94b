//! G-E01 几何无效 / G-W01 几何已修复.
//!
//! ## What it checks
//! Polygon kinds need polygons. Each ring: consecutive duplicate vertices are removed and an
//! unclosed ring is closed (safe repairs, reported as G-W01); a ring with fewer than 4 points
//! after that, a ring of zero area, or a self-intersecting polygon is refused (G-E01): no
//! repair of those is safe, since which side is meant cannot be known.
//!
//! ## Why
//! Areas and overlays are only defined on valid polygons (standards §5.4 leaves
//! self-intersection to the import checks).
//!
//! ## Example
//! A bow-tie ring → `self-intersection`; a ring given without its closing vertex → closed, with
//! a warning.

use super::Severity;
use geo::Validation;
use onemap_formats::Geometry;

/// A geometry problem found (and possibly repaired) on import.
#[derive(Clone, Debug, PartialEq)]
pub struct GeometryIssue {
    /// G-E01 (refused) or G-W01 (repaired).
    pub severity: Severity,
    /// What.
    pub message: String,
}

fn fix_ring(r: &mut geo_types::LineString<f64>, what: &str, issues: &mut Vec<GeometryIssue>) {
    let before = r.0.len();
    r.0.dedup();
    if r.0.len() != before {
        issues.push(GeometryIssue {
            severity: Severity::Warning,
            message: format!("{what}: {} repeated vertices removed", before - r.0.len()),
        });
    }
    if r.0.len() > 1 && r.0.first() != r.0.last() {
        let f = r.0[0];
        r.0.push(f);
        issues.push(GeometryIssue {
            severity: Severity::Warning,
            message: format!("{what}: ring closed"),
        });
    }
    if r.0.len() < 4 {
        issues.push(GeometryIssue {
            severity: Severity::Error,
            message: format!(
                "{what}: {} points; a ring needs at least 4 (3 distinct and the closing one)",
                r.0.len()
            ),
        });
        return;
    }
    let o = r.0[0];
    let a2: f64 =
        r.0.windows(2)
            .map(|w| (w[0].x - o.x) * (w[1].y - o.y) - (w[1].x - o.x) * (w[0].y - o.y))
            .sum();
    if a2 == 0.0 {
        issues.push(GeometryIssue {
            severity: Severity::Error,
            message: format!("{what}: zero area"),
        });
    }
}

/// Repair what is safe to repair and report the rest. `polygons` says whether the kind needs
/// polygons.
pub fn repair(g: &mut Option<Geometry>, polygons: bool) -> Vec<GeometryIssue> {
    let mut issues = Vec::new();
    let Some(geom) = g else {
        if polygons {
            issues.push(GeometryIssue {
                severity: Severity::Error,
                message: "no geometry".into(),
            });
        }
        return issues;
    };
    if !polygons {
        return issues;
    }
    let polys: &mut Vec<geo_types::Polygon<f64>> = match geom {
        Geometry::Polygon(p) => {
            let mp = geo_types::MultiPolygon(vec![p.clone()]);
            *geom = Geometry::MultiPolygon(mp);
            match geom {
                Geometry::MultiPolygon(mp) => &mut mp.0,
                _ => return issues,
            }
        }
        Geometry::MultiPolygon(mp) => &mut mp.0,
        other => {
            issues.push(GeometryIssue {
                severity: Severity::Error,
                message: format!("a {} where a polygon is needed", kind_name(other)),
            });
            return issues;
        }
    };
    if polys.is_empty() {
        issues.push(GeometryIssue {
            severity: Severity::Error,
            message: "empty polygon".into(),
        });
        return issues;
    }
    let n_parts = polys.len();
    for (k, p) in polys.iter_mut().enumerate() {
        let part = if n_parts > 1 {
            format!("part {}", k + 1)
        } else {
            "polygon".into()
        };
        p.exterior_mut(|e| fix_ring(e, &format!("{part} outer ring"), &mut issues));
        p.interiors_mut(|hs| {
            for (h, r) in hs.iter_mut().enumerate() {
                fix_ring(r, &format!("{part} hole {}", h + 1), &mut issues);
            }
        });
    }
    if issues.iter().all(|i| i.severity == Severity::Warning) {
        if polys.len() == 1 && polys[0].interiors().is_empty() {
            // One simple ring of non-zero area is a valid polygon: the fast test suffices.
            if let Some(at) = ring_self_intersection(&polys[0].exterior().0) {
                issues.push(GeometryIssue {
                    severity: Severity::Error,
                    message: format!(
                        "invalid polygon: the outer ring intersects itself near ({:.3}, {:.3})",
                        at.x, at.y
                    ),
                });
            }
        } else {
            // Holes and parts: geo's full validation (rings inside and not crossing each other).
            let mp = geo_types::MultiPolygon(polys.clone());
            if let Err(e) = mp.check_validation() {
                issues.push(GeometryIssue {
                    severity: Severity::Error,
                    message: format!("invalid polygon: {e}"),
                });
            }
        }
    }
    // A single part goes back to a plain polygon.
    if let Geometry::MultiPolygon(mp) = geom {
        if mp.0.len() == 1 {
            *geom = Geometry::Polygon(mp.0.remove(0));
        }
    }
    issues
}

/// Where a closed ring touches or crosses itself, if it does: any two non-adjacent edges that
/// share a point. Edges are swept in order of their smallest x, so only edges whose x-ranges
/// overlap are compared.
pub fn ring_self_intersection(c: &[geo_types::Coord<f64>]) -> Option<geo_types::Coord<f64>> {
    let n = c.len().checked_sub(1)?; // edges; the ring repeats its first vertex
    if n < 3 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    let minx = |i: usize| c[i].x.min(c[i + 1].x);
    let maxx = |i: usize| c[i].x.max(c[i + 1].x);
    order.sort_by(|&a, &b| minx(a).total_cmp(&minx(b)));
    for (k, &i) in order.iter().enumerate() {
        let (a, b) = (c[i], c[i + 1]);
        for &j in &order[k + 1..] {
            if minx(j) > maxx(i) {
                break;
            }
            // Adjacent edges share their common vertex by construction.
            if j == i + 1 || i == j + 1 || (i == 0 && j == n - 1) || (j == 0 && i == n - 1) {
                continue;
            }
            let (p, q) = (c[j], c[j + 1]);
            if p.y.max(q.y) < a.y.min(b.y) || p.y.min(q.y) > a.y.max(b.y) {
                continue;
            }
            if segments_touch(a, b, p, q) {
                return Some(p);
            }
        }
    }
    None
}

fn orient(a: geo_types::Coord<f64>, b: geo_types::Coord<f64>, c: geo_types::Coord<f64>) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

fn on_segment(
    a: geo_types::Coord<f64>,
    b: geo_types::Coord<f64>,
    p: geo_types::Coord<f64>,
) -> bool {
    p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
}

/// Whether segments ab and pq share a point (crossing, touching, or overlapping).
fn segments_touch(
    a: geo_types::Coord<f64>,
    b: geo_types::Coord<f64>,
    p: geo_types::Coord<f64>,
    q: geo_types::Coord<f64>,
) -> bool {
    let (d1, d2, d3, d4) = (
        orient(p, q, a),
        orient(p, q, b),
        orient(a, b, p),
        orient(a, b, q),
    );
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    (d1 == 0.0 && on_segment(p, q, a))
        || (d2 == 0.0 && on_segment(p, q, b))
        || (d3 == 0.0 && on_segment(a, b, p))
        || (d4 == 0.0 && on_segment(a, b, q))
}

fn kind_name(g: &Geometry) -> &'static str {
    match g {
        Geometry::Point(_) | Geometry::MultiPoint(_) => "point",
        Geometry::LineString(_) | Geometry::MultiLineString(_) | Geometry::Line(_) => "line",
        _ => "geometry collection",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{polygon, LineString, Polygon};

    #[test]
    fn ring_test_agrees_with_geo() {
        // Random small rings, valid and not: the fast test and geo's validation agree.
        let mut seed = 5u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % 7) as f64
        };
        let mut invalid = 0;
        for _ in 0..3000 {
            let k = 4 + (rnd() as usize % 5);
            // As `repair` hands rings over: closed, without repeated consecutive vertices.
            let mut pts: Vec<(f64, f64)> = (0..k).map(|_| (rnd(), rnd())).collect();
            pts.push(pts[0]);
            pts.dedup();
            let ls = LineString::from(pts);
            if ls.0.len() < 4 {
                continue;
            }
            let p = Polygon::new(ls.clone(), vec![]);
            let mine = ring_self_intersection(&ls.0).is_some();
            let geo_says = geo::Validation::check_validation(&p).is_err();
            let degenerate = geo::Area::unsigned_area(&p) == 0.0;
            if !degenerate {
                assert_eq!(mine, geo_says, "{:?}", ls.0);
                invalid += u32::from(mine);
            }
        }
        assert!(invalid > 100, "the sample has invalid rings: {invalid}");
    }

    #[test]
    fn repairs_and_refusals() {
        // A repeated vertex: removed, with a warning (geo-types closes rings in Polygon::new).
        let mut g = Some(Geometry::Polygon(Polygon::new(
            LineString::from(vec![
                (0.0, 0.0),
                (0.0, 1.0),
                (0.0, 1.0),
                (1.0, 1.0),
                (1.0, 0.0),
            ]),
            vec![],
        )));
        let i = repair(&mut g, true);
        assert_eq!(i.len(), 1, "{i:?}");
        assert!(i[0].severity == Severity::Warning && i[0].message.contains("repeated"));
        // A ring that is not closed (built without Polygon::new's closing): closed, warned.
        let mut r = LineString::from(vec![(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)]);
        let mut issues = Vec::new();
        fix_ring(&mut r, "ring", &mut issues);
        assert!(r.is_closed() && issues.len() == 1 && issues[0].message.contains("closed"));
        // Bow tie.
        let mut g = Some(Geometry::Polygon(
            polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 2.0), (x: 2.0, y: 0.0), (x: 0.0, y: 1.0)],
        ));
        let i = repair(&mut g, true);
        assert!(
            i.iter()
                .any(|x| x.severity == Severity::Error && x.message.contains("invalid")),
            "{i:?}"
        );
        // Too few points, zero area, a line, nothing.
        for g0 in [
            Some(Geometry::Polygon(Polygon::new(
                LineString::from(vec![(0.0, 0.0), (1.0, 1.0), (0.0, 0.0)]),
                vec![],
            ))),
            Some(Geometry::Polygon(Polygon::new(
                LineString::from(vec![(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (0.0, 0.0)]),
                vec![],
            ))),
            Some(Geometry::LineString(LineString::from(vec![
                (0.0, 0.0),
                (1.0, 1.0),
            ]))),
            None,
        ] {
            let mut g = g0;
            assert!(repair(&mut g, true)
                .iter()
                .any(|x| x.severity == Severity::Error));
        }
        // A valid square: nothing.
        let mut g = Some(Geometry::Polygon(
            polygon![(x: 0.0, y: 0.0), (x: 0.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0)],
        ));
        assert!(repair(&mut g, true).is_empty());
        assert!(matches!(g, Some(Geometry::Polygon(_))));
    }
}
