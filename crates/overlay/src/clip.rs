//! Geometry primitives of the overlay: point in ring, ring against box, polygon clipping
//! (geo's `BooleanOps`, backed by i_overlay) and `sandiao` areas of clipped pieces.

use geo::BooleanOps;
use geo_types::{MultiPolygon, Polygon};
use onemap_geodesy::sandiao::{feature_area, AreaFrame};

use crate::layer::BBox;

/// Crossing-number test of point `p` against a ring given without its closing vertex.
pub fn ring_contains(ring: &[[f64; 2]], p: [f64; 2]) -> bool {
    let mut inside = false;
    let n = ring.len();
    let mut j = n.wrapping_sub(1);
    for i in 0..n {
        let (a, b) = (ring[i], ring[j]);
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if p[0] < x {
                inside = !inside;
            }
        }
        j = i;
    }
    inside
}

/// Whether segment `a`–`b` meets the closed box `bb`.
pub fn segment_meets_box(a: [f64; 2], b: [f64; 2], bb: BBox) -> bool {
    if a[0].max(b[0]) < bb[0]
        || a[0].min(b[0]) > bb[2]
        || a[1].max(b[1]) < bb[1]
        || a[1].min(b[1]) > bb[3]
    {
        return false;
    }
    // The boxes overlap: the segment meets the box unless all four corners lie strictly on
    // one side of its line.
    let side = |x: f64, y: f64| (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
    let s = [
        side(bb[0], bb[1]),
        side(bb[2], bb[1]),
        side(bb[2], bb[3]),
        side(bb[0], bb[3]),
    ];
    !(s.iter().all(|&v| v > 0.0) || s.iter().all(|&v| v < 0.0))
}

/// Whether closed segments `a`–`b` and `c`–`d` share at least one point (crossing, touching
/// or overlapping).
pub fn segments_meet(a: [f64; 2], b: [f64; 2], c: [f64; 2], d: [f64; 2]) -> bool {
    if a[0].max(b[0]) < c[0].min(d[0])
        || c[0].max(d[0]) < a[0].min(b[0])
        || a[1].max(b[1]) < c[1].min(d[1])
        || c[1].max(d[1]) < a[1].min(b[1])
    {
        return false;
    }
    let orient = |p: [f64; 2], q: [f64; 2], r: [f64; 2]| {
        let v = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]);
        if v > 0.0 {
            1
        } else if v < 0.0 {
            -1
        } else {
            0
        }
    };
    let (o1, o2, o3, o4) = (
        orient(a, b, c),
        orient(a, b, d),
        orient(c, d, a),
        orient(c, d, b),
    );
    if o1 != o2 && o3 != o4 && o1 * o2 <= 0 && o3 * o4 <= 0 {
        return true;
    }
    // Collinear cases: the boxes overlap (checked above) and all four points are on one line.
    o1 == 0 && o2 == 0 && o3 == 0 && o4 == 0
}

/// Whether any edge of a ring (given without its closing vertex) meets the box.
pub fn ring_meets_box(ring: &[[f64; 2]], bb: BBox) -> bool {
    let n = ring.len();
    (0..n).any(|i| segment_meets_box(ring[i], ring[(i + 1) % n], bb))
}

/// Bounding box of polygons.
pub fn bbox(mp: &MultiPolygon<f64>) -> BBox {
    let mut bb = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in &mp.0 {
        for c in &p.exterior().0 {
            bb[0] = bb[0].min(c.x);
            bb[1] = bb[1].min(c.y);
            bb[2] = bb[2].max(c.x);
            bb[3] = bb[3].max(c.y);
        }
    }
    bb
}

/// Whether two boxes overlap with positive area.
pub fn boxes_overlap(a: BBox, b: BBox) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// Unrounded `sandiao` area of lon/lat polygons, m² (outer rings minus holes).
pub fn area(mp: &MultiPolygon<f64>) -> f64 {
    feature_area(
        AreaFrame::LonLat,
        mp.0.iter().flat_map(|p| {
            std::iter::once((p.exterior(), false))
                .chain(p.interiors().iter().map(|r| (r, true)))
                .map(|(r, hole)| (r.0.iter().map(|c| [c.x, c.y]), hole))
        }),
    )
}

/// Sutherland–Hodgman clip of one ring (without its closing vertex) to a box. The result may
/// run along the box's edges with zero-width connections; its signed area is exactly that of
/// the ring's part inside the box, which is all the overlay needs from it.
pub fn clip_ring_to_box(ring: &[[f64; 2]], bb: BBox) -> Vec<[f64; 2]> {
    let mut cur: Vec<[f64; 2]> = ring.to_vec();
    let mut next: Vec<[f64; 2]> = Vec::with_capacity(ring.len() + 4);
    // (axis, bound, keep_greater)
    for (axis, bound, greater) in [
        (0usize, bb[0], true),
        (0, bb[2], false),
        (1, bb[1], true),
        (1, bb[3], false),
    ] {
        next.clear();
        let n = cur.len();
        if n == 0 {
            break;
        }
        let inside = |p: &[f64; 2]| {
            if greater {
                p[axis] >= bound
            } else {
                p[axis] <= bound
            }
        };
        for i in 0..n {
            let a = cur[(i + n - 1) % n];
            let b = cur[i];
            let (ia, ib) = (inside(&a), inside(&b));
            if ia != ib {
                let t = (bound - a[axis]) / (b[axis] - a[axis]);
                let mut q = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
                q[axis] = bound;
                next.push(q);
            }
            if ib {
                next.push(b);
            }
        }
        std::mem::swap(&mut cur, &mut next);
    }
    cur
}

/// The ring in counter-clockwise order if it is convex (collinear vertices allowed), else
/// `None`.
pub fn convex_ccw(ring: &[[f64; 2]]) -> Option<Vec<[f64; 2]>> {
    let n = ring.len();
    if n < 3 {
        return None;
    }
    let (mut pos, mut neg) = (false, false);
    for i in 0..n {
        let (a, b, c) = (ring[i], ring[(i + 1) % n], ring[(i + 2) % n]);
        let cr = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]);
        if cr > 0.0 {
            pos = true;
        } else if cr < 0.0 {
            neg = true;
        }
        if pos && neg {
            return None;
        }
    }
    // Convex turns all one way; a convex ring also winds once (no star pentagons): its
    // shoelace area has the sign of the turns.
    let a2: f64 = (0..n)
        .map(|i| {
            let (p, q) = (ring[i], ring[(i + 1) % n]);
            p[0] * q[1] - q[0] * p[1]
        })
        .sum();
    if (a2 > 0.0) != pos || a2 == 0.0 {
        return None;
    }
    let mut out = ring.to_vec();
    if !pos {
        out.reverse();
    }
    Some(out)
}

/// Sutherland–Hodgman clip of a ring to a convex counter-clockwise ring. The output's signed
/// area is exactly that of the subject's part inside the convex ring (it may run along the
/// clipper's edges with zero-width connections).
pub fn clip_ring_to_convex(ring: &[[f64; 2]], convex: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let mut cur: Vec<[f64; 2]> = ring.to_vec();
    let mut next: Vec<[f64; 2]> = Vec::with_capacity(ring.len() + convex.len());
    let m = convex.len();
    for k in 0..m {
        let (e0, e1) = (convex[k], convex[(k + 1) % m]);
        let side =
            |p: [f64; 2]| (e1[0] - e0[0]) * (p[1] - e0[1]) - (e1[1] - e0[1]) * (p[0] - e0[0]);
        next.clear();
        let n = cur.len();
        if n == 0 {
            break;
        }
        for i in 0..n {
            let a = cur[(i + n - 1) % n];
            let b = cur[i];
            let (sa, sb) = (side(a), side(b));
            let (ia, ib) = (sa >= 0.0, sb >= 0.0);
            if ia != ib {
                let t = sa / (sa - sb);
                next.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
            }
            if ib {
                next.push(b);
            }
        }
        std::mem::swap(&mut cur, &mut next);
    }
    cur
}

/// Polygons given as rings (outer rings followed by their holes) clipped to a box, as geo
/// polygons; rings left with fewer than three vertices are dropped.
pub fn rings_in_box<'a>(
    rings: impl IntoIterator<Item = (&'a [[f64; 2]], bool)>,
    bb: BBox,
) -> MultiPolygon<f64> {
    let mut out: Vec<Polygon<f64>> = Vec::new();
    let mut skip_holes = false;
    for (ring, hole) in rings {
        let c = clip_ring_to_box(ring, bb);
        if hole && skip_holes {
            continue;
        }
        if c.len() < 3 {
            if !hole {
                skip_holes = true;
            }
            continue;
        }
        let mut ls: Vec<geo_types::Coord<f64>> = c
            .iter()
            .map(|p| geo_types::Coord { x: p[0], y: p[1] })
            .collect();
        ls.push(ls[0]);
        let ls = geo_types::LineString(ls);
        match (hole, out.last_mut()) {
            (true, Some(p)) => p.interiors_push(ls),
            _ => {
                skip_holes = false;
                out.push(Polygon::new(ls, vec![]));
            }
        }
    }
    MultiPolygon(out)
}

/// The intersection of two boxes, if they overlap with positive area.
pub fn box_intersection(a: BBox, b: BBox) -> Option<BBox> {
    boxes_overlap(a, b).then(|| {
        [
            a[0].max(b[0]),
            a[1].max(b[1]),
            a[2].min(b[2]),
            a[3].min(b[3]),
        ]
    })
}

/// The intersection of two polygon sets.
pub fn intersection(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    a.intersection(b)
}

/// The part of `a` inside the union of `covers`, which may overlap each other: one boolean
/// operation with the non-zero fill rule over consistently oriented rings.
pub fn intersection_with_union(
    a: &MultiPolygon<f64>,
    covers: Vec<Polygon<f64>>,
) -> MultiPolygon<f64> {
    use geo::algorithm::bool_ops::FillRule;
    use geo::orient::{Direction, Orient};
    use geo::OpType;
    let covers = MultiPolygon(covers).orient(Direction::Default);
    a.orient(Direction::Default).boolean_op_with_fill_rule(
        &covers,
        OpType::Intersection,
        FillRule::NonZero,
    )
}

/// The part of `a` outside `b`.
pub fn difference(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    a.difference(b)
}

/// The union of polygon sets.
pub fn union(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    a.union(b)
}

/// A polygon from a ring of `[x, y]` points (closed or not).
pub fn polygon(ring: &[[f64; 2]]) -> Polygon<f64> {
    let mut cs: Vec<geo_types::Coord<f64>> = ring
        .iter()
        .map(|p| geo_types::Coord { x: p[0], y: p[1] })
        .collect();
    if cs.first() != cs.last() {
        if let Some(&c) = cs.first() {
            cs.push(c);
        }
    }
    Polygon::new(geo_types::LineString(cs), vec![])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sq(x0: f64, y0: f64, s: f64) -> Vec<[f64; 2]> {
        vec![[x0, y0], [x0 + s, y0], [x0 + s, y0 + s], [x0, y0 + s]]
    }

    #[test]
    fn point_in_ring() {
        let r = sq(0.0, 0.0, 1.0);
        assert!(ring_contains(&r, [0.5, 0.5]));
        assert!(!ring_contains(&r, [1.5, 0.5]));
        assert!(!ring_contains(&r, [0.5, -0.1]));
    }

    #[test]
    fn segments_and_boxes() {
        let bb = [0.0, 0.0, 1.0, 1.0];
        assert!(segment_meets_box([-1.0, 0.5], [2.0, 0.5], bb));
        assert!(segment_meets_box([0.5, 0.5], [0.6, 0.6], bb));
        assert!(
            segment_meets_box([1.0, -1.0], [1.0, 2.0], bb),
            "touching edge"
        );
        assert!(!segment_meets_box([-1.0, 1.5], [1.5, 3.0], bb));
        assert!(
            !segment_meets_box([-0.5, 2.6], [2.6, -0.5], bb),
            "diagonal past the corner"
        );
        assert!(
            segment_meets_box([-0.5, 1.5], [1.5, -0.5], bb),
            "through the corner region"
        );
    }

    #[test]
    fn convex_clip_of_a_concave_ring() {
        let l = vec![
            [0.0, 0.0],
            [3.0, 0.0],
            [3.0, 1.0],
            [1.0, 1.0],
            [1.0, 3.0],
            [0.0, 3.0],
        ];
        assert!(convex_ccw(&l).is_none());
        // A clockwise diamond around (1, 1).
        let d = vec![[1.0, 2.0], [2.0, 1.0], [1.0, 0.0], [0.0, 1.0]];
        let c = convex_ccw(&d).unwrap();
        let out = clip_ring_to_convex(&l, &c);
        let a: f64 = (0..out.len())
            .map(|i| {
                let (p, q) = (out[i], out[(i + 1) % out.len()]);
                p[0] * q[1] - q[0] * p[1]
            })
            .sum::<f64>()
            / 2.0;
        // Diamond area 2, minus its quadrant in the notch of the L (x > 1, y > 1): 0.5.
        assert!((a - 1.5).abs() < 1e-12, "{a}");
    }

    #[test]
    fn segments() {
        assert!(segments_meet(
            [0.0, 0.0],
            [2.0, 2.0],
            [0.0, 2.0],
            [2.0, 0.0]
        ));
        assert!(
            segments_meet([0.0, 0.0], [2.0, 0.0], [1.0, 0.0], [1.0, 5.0]),
            "T"
        );
        assert!(
            segments_meet([0.0, 0.0], [2.0, 0.0], [2.0, 0.0], [3.0, 1.0]),
            "end to end"
        );
        assert!(
            segments_meet([0.0, 0.0], [2.0, 0.0], [1.0, 0.0], [3.0, 0.0]),
            "overlap"
        );
        assert!(
            !segments_meet([0.0, 0.0], [2.0, 0.0], [2.5, 0.0], [3.0, 0.0]),
            "collinear apart"
        );
        assert!(!segments_meet(
            [0.0, 0.0],
            [2.0, 0.0],
            [0.0, 1.0],
            [2.0, 1.5]
        ));
        assert!(!segments_meet(
            [0.0, 0.0],
            [2.0, 2.0],
            [1.0, 0.0],
            [3.0, 1.9]
        ));
    }

    #[test]
    fn box_clip_keeps_the_area_inside() {
        // An L-shaped (concave) ring clipped to a box through both arms.
        let l = vec![
            [0.0, 0.0],
            [3.0, 0.0],
            [3.0, 1.0],
            [1.0, 1.0],
            [1.0, 3.0],
            [0.0, 3.0],
        ];
        let c = clip_ring_to_box(&l, [0.5, 0.5, 2.0, 2.0]);
        let a: f64 = (0..c.len())
            .map(|i| {
                let (p, q) = (c[i], c[(i + 1) % c.len()]);
                p[0] * q[1] - q[0] * p[1]
            })
            .sum::<f64>()
            / 2.0;
        // Inside the box: [0.5,2]×[0.5,1] plus [0.5,1]×[1,2] = 0.75 + 0.5.
        assert!((a - 1.25).abs() < 1e-12, "{a}");
        assert!(clip_ring_to_box(&l, [5.0, 5.0, 6.0, 6.0]).is_empty());
    }

    #[test]
    fn overlapping_covers_count_once() {
        let a = MultiPolygon(vec![polygon(&sq(120.0, 43.0, 0.01))]);
        // Two identical covers over the south-west quarter, one wound clockwise.
        let mut cw = sq(119.99, 42.99, 0.015);
        cw.reverse();
        let covers = vec![polygon(&sq(119.99, 42.99, 0.015)), polygon(&cw)];
        let i = intersection_with_union(&a, covers);
        assert!(
            (area(&i) / area(&a) - 0.25).abs() < 1e-3,
            "{}",
            area(&i) / area(&a)
        );
    }

    #[test]
    fn clipped_area_of_half_a_square() {
        let a = MultiPolygon(vec![polygon(&sq(120.0, 43.0, 0.01))]);
        let b = MultiPolygon(vec![polygon(&sq(120.005, 42.99, 0.02))]);
        let i = intersection(&a, &b);
        let whole = area(&a);
        assert!((area(&i) / whole - 0.5).abs() < 1e-3);
        let d = difference(&a, &b);
        assert!((area(&i) + area(&d) - whole).abs() < 1e-3);
    }
}
