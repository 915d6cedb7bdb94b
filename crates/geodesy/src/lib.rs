//! Geodesy for onemap: the CGCS2000 ellipsoid, Gauss–Krüger projections (the survey's series
//! inverse and an exact transverse Mercator), the CRS registry, the survey area method `sandiao`,
//! the geodesic area method, and area units.
//!
//! ```
//! use onemap_geodesy::{crs::Crs, sandiao, units::AreaUnit};
//! let crs = Crs::parse("EPSG:4528").unwrap();
//! let frame = crs.area_frame().unwrap();
//! let ring = [[40500000.0, 4830000.0], [40501000.0, 4830000.0],
//!             [40501000.0, 4831000.0], [40500000.0, 4831000.0]];
//! let cents = sandiao::to_cents(sandiao::feature_area(frame, [(ring, false)]));
//! assert_eq!(AreaUnit::SquareMetre.format(cents), "1000000.01");
//! ```

pub mod crs;
pub mod ellipsoid;
pub mod geodesic;
pub mod gk_series;
pub mod numeric;
pub mod sandiao;
pub mod tmerc;
pub mod trapezoid;
pub mod units;
pub mod wkt;

#[cfg(test)]
mod testdata;

/// Area method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AreaMethod {
    /// The land survey's ellipsoidal trapezoid method (standards §5); official figures.
    #[default]
    Sandiao,
    /// GeographicLib geodesic polygon area on CGCS2000.
    Geodesic,
}

impl AreaMethod {
    /// Identifier used on the command line and in JSON.
    pub fn id(self) -> &'static str {
        match self {
            AreaMethod::Sandiao => "sandiao",
            AreaMethod::Geodesic => "geodesic",
        }
    }

    /// Unrounded area of a feature, m²; `true` marks a hole.
    pub fn feature_area<R, I>(self, frame: sandiao::AreaFrame, rings: R) -> f64
    where
        R: IntoIterator<Item = (I, bool)>,
        I: IntoIterator<Item = [f64; 2]>,
    {
        match self {
            AreaMethod::Sandiao => sandiao::feature_area(frame, rings),
            AreaMethod::Geodesic => geodesic::feature_area(frame, rings),
        }
    }
}
