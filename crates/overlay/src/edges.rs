//! Horizontal bands of a large feature's edges, so that point-in-polygon and edge-against-box
//! tests on a county boundary or a large zone (tens of thousands of vertices) look at the few
//! edges near the point or box instead of all of them. Results are bit-identical to the full
//! scans they replace: the same predicates on the same edges, in the same order.

use crate::clip::segment_meets_box;
use crate::layer::BBox;
use crate::overlap::shoelace;

/// Features with more edges than this get bands.
pub const BANDED: usize = 256;

/// A feature's edges in scan order (ring by ring, rings of fewer than three vertices left out)
/// and, per horizontal band, the ids of the edges whose y-extent meets it.
#[derive(Debug, Clone)]
pub struct EdgeBands {
    /// (start, end, whether the ring runs against its role).
    edges: Vec<([f64; 2], [f64; 2], bool)>,
    y0: f64,
    dy: f64,
    bands: Vec<Vec<u32>>,
}

impl EdgeBands {
    /// Bands over the feature's rings (given without closing vertices) and box.
    pub fn new<'a>(rings: impl Iterator<Item = (&'a [[f64; 2]], bool)>, bb: BBox) -> EdgeBands {
        let mut edges = Vec::new();
        for (r, hole) in rings {
            if r.len() < 3 {
                continue;
            }
            let rev = (shoelace(r) > 0.0) == hole;
            let n = r.len();
            for k in 0..n {
                edges.push((r[k], r[(k + 1) % n], rev));
            }
        }
        let nb = (edges.len() / 8).clamp(16, 4096);
        let y0 = bb[1];
        let dy = ((bb[3] - bb[1]) / nb as f64).max(f64::MIN_POSITIVE);
        let mut bands = vec![Vec::new(); nb];
        let mut b = EdgeBands {
            edges: Vec::new(),
            y0,
            dy,
            bands: Vec::new(),
        };
        for (id, e) in edges.iter().enumerate() {
            let (lo, hi) = b.band_range(e.0[1].min(e.1[1]), e.0[1].max(e.1[1]), nb);
            for band in &mut bands[lo..=hi] {
                band.push(id as u32);
            }
        }
        b.edges = edges;
        b.bands = bands;
        b
    }

    fn band_range(&self, ylo: f64, yhi: f64, nb: usize) -> (usize, usize) {
        let at = |y: f64| (((y - self.y0) / self.dy).floor().max(0.0) as usize).min(nb - 1);
        (at(ylo), at(yhi))
    }

    /// Ids of the edges whose band range meets `[ylo, yhi]`, ascending (scan order).
    fn candidates(&self, ylo: f64, yhi: f64) -> Vec<u32> {
        let (lo, hi) = self.band_range(ylo, yhi, self.bands.len());
        let mut ids: Vec<u32> = self.bands[lo..=hi].iter().flatten().copied().collect();
        if lo != hi {
            ids.sort_unstable();
            ids.dedup();
        }
        ids
    }

    /// Even–odd crossing test of `p`, as `ring_contains` over every ring.
    pub fn contains_point(&self, p: [f64; 2]) -> bool {
        let mut inside = false;
        for id in self.candidates(p[1], p[1]) {
            // ring_contains pairs vertex i with its predecessor j: a = end, b = start.
            let (b, a, _) = self.edges[id as usize];
            if (a[1] > p[1]) != (b[1] > p[1]) {
                let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
                if p[0] < x {
                    inside = !inside;
                }
            }
        }
        inside
    }

    /// Whether any edge meets the box.
    pub fn meets_box(&self, bb: BBox) -> bool {
        self.candidates(bb[1], bb[3]).into_iter().any(|id| {
            let (a, b, _) = self.edges[id as usize];
            segment_meets_box(a, b, bb)
        })
    }

    /// Oriented edges meeting the box, in scan order (as `Shape::edges_in`).
    pub fn edges_in(&self, bb: BBox) -> Vec<([f64; 2], [f64; 2])> {
        self.candidates(bb[1], bb[3])
            .into_iter()
            .filter_map(|id| {
                let (a, b, rev) = self.edges[id as usize];
                segment_meets_box(a, b, bb).then_some(if rev { (b, a) } else { (a, b) })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clip::{ring_contains, ring_meets_box};

    /// A wiggly ring of many vertices with a hole.
    fn rings() -> (Vec<[f64; 2]>, Vec<[f64; 2]>) {
        let outer: Vec<[f64; 2]> = (0..2000)
            .map(|k| {
                let t = k as f64 / 2000.0 * std::f64::consts::TAU;
                let r = 1.0 + 0.2 * (7.0 * t).sin() + 0.05 * (53.0 * t).cos();
                [122.0 + r * t.cos(), 43.0 + r * t.sin()]
            })
            .collect();
        let hole: Vec<[f64; 2]> = (0..400)
            .rev()
            .map(|k| {
                let t = k as f64 / 400.0 * std::f64::consts::TAU;
                [122.1 + 0.3 * t.cos(), 43.05 + 0.25 * t.sin()]
            })
            .collect();
        (outer, hole)
    }

    #[test]
    fn the_same_answers_as_the_full_scans() {
        let (outer, hole) = rings();
        let bb = [120.5, 41.5, 123.5, 44.5];
        let e = EdgeBands::new([(&outer[..], false), (&hole[..], true)].into_iter(), bb);
        let mut seed = 7u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..20_000 {
            let p = [120.6 + 2.8 * rnd(), 41.6 + 2.8 * rnd()];
            let full = ring_contains(&outer, p) ^ ring_contains(&hole, p);
            assert_eq!(e.contains_point(p), full, "{p:?}");
            let w = 0.05 * rnd();
            let b = [p[0], p[1], p[0] + w, p[1] + w];
            let full = ring_meets_box(&outer, b) || ring_meets_box(&hole, b);
            assert_eq!(e.meets_box(b), full, "{b:?}");
            // Edges in the box, oriented (outer counter-clockwise, hole clockwise), in order.
            let mut scan = Vec::new();
            for (r, rev) in [(&outer, false), (&hole, false)] {
                let n = r.len();
                for k in 0..n {
                    let (a, c) = (r[k], r[(k + 1) % n]);
                    if segment_meets_box(a, c, b) {
                        scan.push(if rev { (c, a) } else { (a, c) });
                    }
                }
            }
            assert_eq!(e.edges_in(b), scan);
        }
        // Vertices themselves (band edges and exact hits).
        for p in outer.iter().step_by(37) {
            assert_eq!(
                e.contains_point(*p),
                ring_contains(&outer, *p) ^ ring_contains(&hole, *p)
            );
        }
    }
}
