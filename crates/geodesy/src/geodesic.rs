//! The `geodesic` area method: GeographicLib's polygon area on the CGCS2000 ellipsoid (edges are
//! geodesics). A plausibility check beside `sandiao`; official figures are always `sandiao`.

use crate::ellipsoid::{A, F};
use crate::sandiao::AreaFrame;
use crate::tmerc;
use geographiclib_rs::{Geodesic, PolygonArea, Winding};
use std::sync::OnceLock;

fn cgcs2000() -> &'static Geodesic {
    static G: OnceLock<Geodesic> = OnceLock::new();
    G.get_or_init(|| Geodesic::new(A, F))
}

/// Unsigned geodesic area of one ring, m². Gauss–Krüger vertices are converted by the exact
/// inverse ([`tmerc`]); longitude/latitude vertices are used as they are. GeographicLib closes
/// the ring itself; a repeated closing vertex adds a null edge and no area.
pub fn ring_area<I>(frame: AreaFrame, ring: I) -> f64
where
    I: IntoIterator<Item = [f64; 2]>,
{
    let mut poly = PolygonArea::new(cgcs2000(), Winding::CounterClockwise);
    for p in ring {
        let (lat, lon) = match frame {
            AreaFrame::GaussKruger {
                cm_deg,
                false_easting,
            } => {
                let (b, l) = tmerc::inverse(p[1], p[0] - false_easting);
                (b.to_degrees(), cm_deg as f64 + l.to_degrees())
            }
            AreaFrame::LonLat => (p[1], p[0]),
        };
        poly.add_point(lat, lon);
    }
    let (_, area, _) = poly.compute(true);
    area.abs()
}

/// Unrounded geodesic area of a feature, m²: outer rings minus holes (`true` marks a hole).
pub fn feature_area<R, I>(frame: AreaFrame, rings: R) -> f64
where
    R: IntoIterator<Item = (I, bool)>,
    I: IntoIterator<Item = [f64; 2]>,
{
    rings
        .into_iter()
        .map(|(r, hole)| {
            let a = ring_area(frame, r);
            if hole {
                -a
            } else {
                a
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_geodesic_on_the_rounded_vertices() {
        let r = crate::testdata::v1_lonlat();
        let a = feature_area(AreaFrame::LonLat, [(r, false)]);
        assert!(((a - 1_000_000.009701) / a).abs() < 1e-9, "{a}");
    }
}
