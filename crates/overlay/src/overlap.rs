//! The overlap area of two polygon features, by the cheapest exact method that applies:
//! box containment, then the edges of both (when the boundaries only share whole edges and
//! vertices, or do not meet at all, every edge lies wholly inside or outside the other shape
//! and the overlap is the `sandiao` sum of the edges that bound it), and only then clipping.
//!
//! Survey patches and the control lines drawn on them share their edges exactly, so most
//! patch–control pairs are settled by the edge method without building any geometry.

use crate::clip::{self, box_intersection, ring_contains, segment_meets_box, segments_meet};
use crate::edges::EdgeBands;
use crate::layer::{BBox, Layer};
use geo_types::MultiPolygon;
use onemap_geodesy::sandiao::{lonlat_edge_sum, lonlat_reference_meridian};

/// A polygon feature's rings (without closing vertices; `true` = hole), box and area.
#[derive(Clone, Debug)]
pub struct Shape<'a> {
    rings: Vec<(&'a [[f64; 2]], bool)>,
    /// Whether each ring runs against its role (outer rings should run counter-clockwise,
    /// holes clockwise).
    reversed: Vec<bool>,
    bbox: BBox,
    area: f64,
    /// Edge bands of a large layer feature.
    bands: Option<&'a EdgeBands>,
}

/// Twice the signed plane area of a ring (counter-clockwise positive), about its first vertex.
pub(crate) fn shoelace(r: &[[f64; 2]]) -> f64 {
    let n = r.len();
    (0..n)
        .map(|i| {
            let (p, q) = (r[i], r[(i + 1) % n]);
            (p[0] - r[0][0]) * (q[1] - r[0][1]) - (q[0] - r[0][0]) * (p[1] - r[0][1])
        })
        .sum()
}

impl<'a> Shape<'a> {
    /// A shape from rings and its unrounded `sandiao` area.
    pub fn new(rings: Vec<(&'a [[f64; 2]], bool)>, area: f64) -> Shape<'a> {
        let mut bbox = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        let rings: Vec<(&[[f64; 2]], bool)> =
            rings.into_iter().filter(|r| r.0.len() >= 3).collect();
        for (r, _) in &rings {
            for p in r.iter() {
                bbox[0] = bbox[0].min(p[0]);
                bbox[1] = bbox[1].min(p[1]);
                bbox[2] = bbox[2].max(p[0]);
                bbox[3] = bbox[3].max(p[1]);
            }
        }
        let reversed = rings
            .iter()
            .map(|(r, hole)| (shoelace(r) > 0.0) == *hole)
            .collect();
        Shape {
            bands: None,
            rings,
            reversed,
            bbox,
            area,
        }
    }

    /// Feature `i` of a layer.
    pub fn of(layer: &'a Layer, i: u32) -> Shape<'a> {
        let mut s = Shape::new(layer.rings(i).collect(), layer.area(i));
        s.bands = layer.bands(i);
        s
    }

    /// The box.
    pub fn bbox(&self) -> BBox {
        self.bbox
    }

    /// The unrounded `sandiao` area.
    pub fn area(&self) -> f64 {
        self.area
    }

    /// The rings.
    pub fn rings(&self) -> &[(&'a [[f64; 2]], bool)] {
        &self.rings
    }

    /// Whether `p` lies inside (even–odd; boundary points are either).
    pub fn contains_point(&self, p: [f64; 2]) -> bool {
        if let Some(e) = self.bands {
            return e.contains_point(p);
        }
        self.rings
            .iter()
            .fold(false, |inside, (r, _)| inside ^ ring_contains(r, p))
    }

    /// Whether the box lies wholly inside: no edge meets it and a corner is inside.
    pub fn contains_box(&self, bb: BBox) -> bool {
        if bb[0] < self.bbox[0]
            || bb[1] < self.bbox[1]
            || bb[2] > self.bbox[2]
            || bb[3] > self.bbox[3]
        {
            return false;
        }
        let meets = match self.bands {
            Some(e) => e.meets_box(bb),
            None => self.rings.iter().any(|(r, _)| clip::ring_meets_box(r, bb)),
        };
        if meets {
            return false;
        }
        self.contains_point([bb[0], bb[1]])
    }

    /// Oriented edges meeting a box: (start, end) with outer rings counter-clockwise.
    fn edges_in(&self, bb: BBox) -> Vec<([f64; 2], [f64; 2])> {
        if let Some(e) = self.bands {
            return e.edges_in(bb);
        }
        let mut out = Vec::new();
        for ((r, _), &rev) in self.rings.iter().zip(&self.reversed) {
            let n = r.len();
            for k in 0..n {
                let (a, b) = (r[k], r[(k + 1) % n]);
                if segment_meets_box(a, b, bb) {
                    out.push(if rev { (b, a) } else { (a, b) });
                }
            }
        }
        out
    }

    /// As geo polygons cut to a box (for the clipping fallback).
    fn in_box(&self, bb: BBox) -> MultiPolygon<f64> {
        clip::rings_in_box(self.rings.iter().copied(), bb)
    }
}

/// How an edge of one shape relates to the other's boundary.
#[derive(Clone, Copy, PartialEq)]
enum Contact {
    /// Meets the other boundary at most at its own endpoints, which are vertices there too.
    Free,
    /// Identical to an edge of the other, running the same way.
    SameEdge,
    /// Identical to an edge of the other, running the other way.
    OppositeEdge,
}

/// The overlap of two shapes, unrounded `sandiao` m².
pub fn overlap_area(a: &Shape, b: &Shape) -> f64 {
    let Some(ib) = box_intersection(a.bbox, b.bbox) else {
        return 0.0;
    };
    if a.bbox == b.bbox && same_rings(a, b) {
        return a.area;
    }
    if b.contains_box(a.bbox) {
        return a.area;
    }
    if a.contains_box(b.bbox) {
        return b.area;
    }
    if let Some(x) = by_edges(a, b, ib) {
        return x;
    }
    let (pa, pb) = (a.in_box(ib), b.in_box(ib));
    if pa.0.is_empty() || pb.0.is_empty() {
        return 0.0;
    }
    clip::area(&clip::intersection(&pa, &pb))
}

/// Whether two shapes have the same single ring (any start, either direction) — a control
/// polygon drawn on exactly one patch.
fn same_rings(a: &Shape, b: &Shape) -> bool {
    let ([(ra, false)], [(rb, false)]) = (a.rings.as_slice(), b.rings.as_slice()) else {
        return false;
    };
    let n = ra.len();
    if rb.len() != n {
        return false;
    }
    let Some(k) = rb.iter().position(|p| *p == ra[0]) else {
        return false;
    };
    (0..n).all(|i| ra[i] == rb[(k + i) % n]) || (0..n).all(|i| ra[i] == rb[(k + n - i) % n])
}

/// The edge method; `None` when the boundaries cross, touch inside an edge, or overlap
/// partly along an edge (clipping is needed then).
fn by_edges(a: &Shape, b: &Shape, ib: BBox) -> Option<f64> {
    let (ea, eb) = (a.edges_in(ib), b.edges_in(ib));
    let mut ca = vec![Contact::Free; ea.len()];
    let mut cb = vec![Contact::Free; eb.len()];
    for (i, &(p, q)) in ea.iter().enumerate() {
        for (j, &(c, d)) in eb.iter().enumerate() {
            if !segments_meet(p, q, c, d) {
                continue;
            }
            if p == c && q == d {
                ca[i] = Contact::SameEdge;
                cb[j] = Contact::SameEdge;
            } else if p == d && q == c {
                ca[i] = Contact::OppositeEdge;
                cb[j] = Contact::OppositeEdge;
            } else {
                // They may only share an endpoint that both have, and not run along each other.
                let shared = [p, q].iter().find(|x| **x == c || **x == d).copied()?;
                let other_a = if shared == p { q } else { p };
                let other_b = if shared == c { d } else { c };
                let (ux, uy) = (other_a[0] - shared[0], other_a[1] - shared[1]);
                let (vx, vy) = (other_b[0] - shared[0], other_b[1] - shared[1]);
                let cross = ux * vy - uy * vx;
                let dot = ux * vx + uy * vy;
                // Running along each other, or so nearly that rounding decides: clip.
                if dot > 0.0
                    && cross.abs() <= NEAR * (ux.hypot(uy) * vx.hypot(vy)).max(f64::MIN_POSITIVE)
                {
                    return None;
                }
            }
        }
    }
    let mid = |p: [f64; 2], q: [f64; 2]| [(p[0] + q[0]) * 0.5, (p[1] + q[1]) * 0.5];
    // A free edge is wholly inside or outside the other shape, decided at its midpoint; a
    // midpoint on (or within rounding of) the other boundary cannot decide it: clip. (A wrong
    // decision would add a whole edge's trapezoid to the reference meridian.)
    let on_boundary = |m: [f64; 2], edges: &[([f64; 2], [f64; 2])]| {
        edges
            .iter()
            .any(|&(c, d)| dist2_to_segment(m, c, d) <= NEAR_DEG * NEAR_DEG)
    };
    for (&(p, q), c) in ea.iter().zip(&ca) {
        if *c == Contact::Free && on_boundary(mid(p, q), &eb) {
            return None;
        }
    }
    for (&(p, q), c) in eb.iter().zip(&cb) {
        if *c == Contact::Free && on_boundary(mid(p, q), &ea) {
            return None;
        }
    }
    let l0 = lonlat_reference_meridian(a.rings.first()?.0[0]);
    let mut sum = 0.0;
    for (&(p, q), c) in ea.iter().zip(&ca) {
        let inside = match c {
            Contact::SameEdge => true,
            Contact::OppositeEdge => false,
            Contact::Free => b.contains_point(mid(p, q)),
        };
        if inside {
            sum += lonlat_edge_sum(l0, p, q);
        }
    }
    for (&(p, q), c) in eb.iter().zip(&cb) {
        if *c == Contact::Free && a.contains_point(mid(p, q)) {
            sum += lonlat_edge_sum(l0, p, q);
        }
    }
    // An overlap is never larger than either shape: anything else is a misjudged edge.
    if sum > a.area.min(b.area) * (1.0 + 1e-9) + 1e-6 {
        return None;
    }
    Some(sum.max(0.0))
}

/// Relative tolerance under which two edges from a shared vertex count as running together.
const NEAR: f64 = 1e-9;
/// Distance (degrees, about 1 mm) under which a midpoint counts as on the other boundary.
const NEAR_DEG: f64 = 1e-8;

/// Squared distance from `p` to the segment `c`–`d` (degrees²).
fn dist2_to_segment(p: [f64; 2], c: [f64; 2], d: [f64; 2]) -> f64 {
    let (dx, dy) = (d[0] - c[0], d[1] - c[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - c[0]) * dx + (p[1] - c[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (x, y) = (c[0] + t * dx - p[0], c[1] + t * dy - p[1]);
    x * x + y * y
}

#[cfg(test)]
mod tests {
    use super::*;
    use onemap_geodesy::sandiao::{feature_area, AreaFrame};

    fn sq(x0: f64, y0: f64, s: f64) -> Vec<[f64; 2]> {
        vec![[x0, y0], [x0 + s, y0], [x0 + s, y0 + s], [x0, y0 + s]]
    }

    fn area(r: &[[f64; 2]]) -> f64 {
        feature_area(AreaFrame::LonLat, [(r.iter().copied(), false)])
    }

    fn shape(r: &[[f64; 2]]) -> Shape<'_> {
        Shape::new(vec![(r, false)], area(r))
    }

    fn by_clipping(a: &[[f64; 2]], b: &[[f64; 2]]) -> f64 {
        let pa = MultiPolygon(vec![clip::polygon(a)]);
        let pb = MultiPolygon(vec![clip::polygon(b)]);
        clip::area(&clip::intersection(&pa, &pb))
    }

    #[test]
    fn shared_edges() {
        let d = 0.002;
        let (a, b) = (sq(122.0, 43.6, d), sq(122.0 + d, 43.6, d));
        // Neighbours sharing an edge (opposite directions): no overlap, decided by edges.
        let ib = box_intersection(shape(&a).bbox, shape(&b).bbox);
        assert!(ib.is_none(), "touching boxes have no common area");
        // The same square, one drawn clockwise from another start: full overlap.
        let mut c = a.clone();
        c.reverse();
        c.rotate_left(1);
        assert!((overlap_area(&shape(&a), &shape(&c)) - area(&a)).abs() < 1e-6);
        // A square split in two halves; each half against the whole (shares three edges in
        // part: needs clipping) and against its twin (shares one edge, opposite).
        let whole = vec![
            [122.0, 43.6],
            [122.0 + d, 43.6],
            [122.0 + d, 43.6 + d],
            [122.0, 43.6 + d],
        ];
        let left = vec![
            [122.0, 43.6],
            [122.001, 43.6],
            [122.001, 43.6 + d],
            [122.0, 43.6 + d],
        ];
        let right = vec![
            [122.001, 43.6],
            [122.0 + d, 43.6],
            [122.0 + d, 43.6 + d],
            [122.001, 43.6 + d],
        ];
        assert_eq!(overlap_area(&shape(&left), &shape(&right)), 0.0);
        let got = overlap_area(&shape(&left), &shape(&whole));
        assert!((got - area(&left)).abs() < 1e-4, "{got} vs {}", area(&left));
    }

    #[test]
    fn an_l_around_a_square_sharing_two_edges() {
        // L-shaped patch and the square in its notch share two edges (opposite): 0; the L and
        // its own bounding square share four edges (same way) in part: the L's area.
        let l = vec![
            [122.0, 43.6],
            [122.002, 43.6],
            [122.002, 43.601],
            [122.001, 43.601],
            [122.001, 43.602],
            [122.0, 43.602],
        ];
        let notch = vec![
            [122.001, 43.601],
            [122.002, 43.601],
            [122.002, 43.602],
            [122.001, 43.602],
        ];
        assert_eq!(overlap_area(&shape(&l), &shape(&notch)), 0.0);
        let big = sq(122.0, 43.6, 0.002);
        let got = overlap_area(&shape(&l), &shape(&big));
        assert!((got - area(&l)).abs() < 1e-4, "{got}");
        let got = overlap_area(&shape(&big), &shape(&notch));
        assert!((got - area(&notch)).abs() < 1e-4, "{got}");
    }

    #[test]
    fn agrees_with_clipping_on_crossings() {
        // Rotated squares in many positions: the cascade against plain clipping.
        for k in 0..40 {
            let t = k as f64 * 0.17;
            let a = sq(122.0, 43.6, 0.003);
            let c = [122.0015 + 0.002 * t.cos(), 43.6015 + 0.002 * t.sin()];
            let b: Vec<[f64; 2]> = (0..5)
                .map(|j| {
                    let th = t + j as f64 * std::f64::consts::TAU / 5.0;
                    [c[0] + 0.0015 * th.cos(), c[1] + 0.0015 * th.sin()]
                })
                .collect();
            let want = by_clipping(&a, &b);
            let got = overlap_area(&shape(&a), &shape(&b));
            assert!(
                (got - want).abs() < 1e-3 * want.max(1.0),
                "{k}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn holes() {
        // A patch with a hole; the control square exactly fills the hole: no overlap.
        let outer = sq(122.0, 43.6, 0.003);
        let hole = sq(122.001, 43.601, 0.001);
        let patch = Shape::new(
            vec![(&outer, false), (&hole, true)],
            area(&outer) - area(&hole),
        );
        assert!(overlap_area(&patch, &shape(&hole)).abs() < 1e-6);
        // The control square is the patch's outer ring: the patch's area.
        let got = overlap_area(&patch, &shape(&outer));
        assert!((got - patch.area()).abs() < 1e-4, "{got}");
    }

    /// A plan feature against its county, whose boundary it follows with vertices that differ
    /// in the 17th digit (found by `plan diff` on the 1M demo): the edge method misjudged an edge
    /// and added its trapezoid to the reference meridian (5.44 km² for a 379 m² piece).
    #[test]
    fn near_identical_boundaries_are_clipped() {
        let piece = [
            [121.21536446346703, 42.905759891398645],
            [121.21533978648677, 42.90543312941936],
            [121.21539776614803, 42.90521483648705],
            [121.21540324324322, 42.905282594594595],
            [121.21544313513513, 42.90577610810811],
            [121.21545957044692, 42.90597943494405],
        ];
        let county = [
            [121.21745957044692, 42.903214836487045],
            [121.21745957044692, 42.90797943494405],
            [121.21562123537664, 42.90797943494405],
            [121.21560270270271, 42.907750162162166],
            [121.21556281081081, 42.90725664864865],
            [121.21552291891892, 42.90676313513514],
            [121.21548302702703, 42.906269621621625],
            [121.21544313513513, 42.90577610810811],
            [121.21540324324324, 42.905282594594595],
            [121.21536335135136, 42.904789081081084],
            [121.21532345945946, 42.904295567567566],
            [121.21528356756757, 42.903802054054054],
            [121.21524367567568, 42.90330854054054],
            [121.21523610135021, 42.903214836487045],
        ];
        let got = overlap_area(&shape(&piece), &shape(&county));
        let want = by_clipping(&piece, &county);
        assert!(got <= area(&piece) + 1e-6, "{got} > {}", area(&piece));
        assert!((got - want).abs() < 1e-3, "{got} vs clipping {want}");
        let got = overlap_area(&shape(&county), &shape(&piece));
        assert!((got - want).abs() < 1e-3, "{got} vs clipping {want}");
    }
}
