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

/// The intersection of two polygon sets.
pub fn intersection(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    a.intersection(b)
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
