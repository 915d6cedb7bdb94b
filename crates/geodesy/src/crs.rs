//! The CRS registry (standards §2): the coordinate reference systems onemap accepts, identified
//! by their parameters (never by name alone), with conversions to and from CGCS2000 longitude and
//! latitude and the definitions written into `.prj` files and GeoPackages.

use crate::ellipsoid::{A, RF};
use crate::sandiao::AreaFrame;
use crate::tmerc;
use crate::wkt::{self, Node};
use std::fmt;

/// Why a CRS was not accepted.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CrsError {
    /// The text is neither an EPSG code, an OGC URI nor parseable WKT.
    #[error("cannot read CRS definition {0:?}")]
    Unreadable(String),
    /// A datum that must not be taken for CGCS2000 (西安1980, 北京1954, GCJ-02 …).
    #[error("{0} is not CGCS2000; a datum transformation is needed and onemap does not guess one (standards §2.1)")]
    ForbiddenDatum(String),
    /// A valid CRS outside what onemap accepts for survey and plan data.
    #[error(
        "unsupported CRS: {0} (accepted: EPSG:4490, 4491–4554 CGCS2000 Gauss–Krüger, 4326, 3857)"
    )]
    Unsupported(String),
}

/// A Gauss–Krüger CRS on CGCS2000 (EPSG 4491–4554).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GaussKruger {
    /// Zone width in degrees: 3 or 6.
    pub width: u8,
    /// Zone number (3°: 25–45, 6°: 13–23).
    pub zone: u32,
    /// Whether the easting carries the zone number prefix.
    pub prefixed: bool,
}

impl GaussKruger {
    /// The zone of `width` (3 or 6) containing longitude `lon` (standards §2.2).
    pub fn zone_of(width: u8, lon: f64, prefixed: bool) -> Result<GaussKruger, CrsError> {
        let zone = if width == 3 {
            ((lon + 1.5) / 3.0).floor()
        } else {
            (lon / 6.0).floor() + 1.0
        };
        GaussKruger::new(width, zone as i64, prefixed)
    }

    /// A zone, checked against the ranges covering China.
    pub fn new(width: u8, zone: i64, prefixed: bool) -> Result<GaussKruger, CrsError> {
        let ok = match width {
            3 => (25..=45).contains(&zone),
            6 => (13..=23).contains(&zone),
            _ => false,
        };
        if !ok {
            return Err(CrsError::Unsupported(format!(
                "{width}° Gauss–Krüger zone {zone}"
            )));
        }
        Ok(GaussKruger {
            width,
            zone: zone as u32,
            prefixed,
        })
    }

    /// Central meridian, whole degrees.
    pub fn cm_deg(&self) -> i32 {
        if self.width == 3 {
            3 * self.zone as i32
        } else {
            6 * self.zone as i32 - 3
        }
    }

    /// False easting in metres, with the zone prefix when the easting carries one.
    pub fn false_easting(&self) -> f64 {
        if self.prefixed {
            self.zone as f64 * 1e6 + 500_000.0
        } else {
            500_000.0
        }
    }

    /// EPSG code (§2.3).
    pub fn epsg(&self) -> u32 {
        match (self.width, self.prefixed) {
            (6, true) => 4478 + self.zone,
            (6, false) => 4489 + self.zone,
            (3, true) => 4488 + self.zone,
            _ => 4509 + self.zone,
        }
    }
}

/// A coordinate reference system onemap accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Crs {
    /// EPSG:4490, CGCS2000 longitude/latitude.
    Cgcs2000,
    /// EPSG:4326, WGS 84 longitude/latitude, numerically identical to CGCS2000 here (§2.5).
    Wgs84,
    /// EPSG:4491–4554, CGCS2000 Gauss–Krüger.
    GaussKruger(GaussKruger),
    /// EPSG:3857, Web Mercator (display only).
    WebMercator,
}

const FORBIDDEN: &[(u32, u32, &str)] = &[
    (4610, 4610, "EPSG:4610 Xian 1980"),
    (4214, 4214, "EPSG:4214 Beijing 1954"),
    (2327, 2442, "a Xian 1980 / Beijing 1954 Gauss–Krüger CRS"),
    (21413, 21483, "a Beijing 1954 Gauss–Krüger CRS"),
    (2401, 2442, "a Beijing 1954 3-degree Gauss–Krüger CRS"),
];

impl Crs {
    /// The CRS with this EPSG code.
    ///
    /// ```
    /// use onemap_geodesy::crs::Crs;
    /// let c = Crs::from_epsg(4528).unwrap();
    /// assert_eq!(c.name(), "CGCS2000 / 3-degree Gauss-Kruger zone 40");
    /// assert_eq!(Crs::from_epsg(4550).unwrap().esri_name(), "CGCS2000_3_Degree_GK_CM_123E");
    /// ```
    pub fn from_epsg(code: u32) -> Result<Crs, CrsError> {
        let gk = |width, zone: u32, prefixed| {
            Ok(Crs::GaussKruger(GaussKruger::new(
                width,
                zone as i64,
                prefixed,
            )?))
        };
        match code {
            4490 => Ok(Crs::Cgcs2000),
            4326 => Ok(Crs::Wgs84),
            3857 | 900913 | 102100 => Ok(Crs::WebMercator),
            4491..=4501 => gk(6, code - 4478, true),
            4502..=4512 => gk(6, code - 4489, false),
            4513..=4533 => gk(3, code - 4488, true),
            4534..=4554 => gk(3, code - 4509, false),
            _ => {
                if let Some((_, _, what)) = FORBIDDEN
                    .iter()
                    .find(|(lo, hi, _)| (*lo..=*hi).contains(&code))
                {
                    return Err(CrsError::ForbiddenDatum(what.to_string()));
                }
                Err(CrsError::Unsupported(format!("EPSG:{code}")))
            }
        }
    }

    /// Parse a CRS given by the user or a file: `EPSG:4528`, `4528`, an OGC URN or URI,
    /// `CRS84`, or WKT.
    pub fn parse(text: &str) -> Result<Crs, CrsError> {
        let t = text.trim();
        let up = t.to_ascii_uppercase();
        if matches!(up.as_str(), "CRS84" | "OGC:CRS84")
            || up.ends_with("/OGC/1.3/CRS84")
            || up.ends_with("OGC:1.3:CRS84")
        {
            return Ok(Crs::Cgcs2000);
        }
        let code = up
            .strip_prefix("EPSG:")
            .or_else(|| up.rsplit_once("EPSG::").map(|(_, c)| c))
            .or_else(|| up.rsplit_once("/EPSG/0/").map(|(_, c)| c))
            .unwrap_or(&up);
        if let Ok(n) = code.trim().parse::<u32>() {
            return Crs::from_epsg(n);
        }
        if t.contains('[') {
            return Crs::from_wkt(t);
        }
        Err(CrsError::Unreadable(t.chars().take(80).collect()))
    }

    /// Identify a WKT 1 or WKT 2 definition (ESRI `.prj`, GDAL/QGIS) by its parameters.
    pub fn from_wkt(text: &str) -> Result<Crs, CrsError> {
        let root = wkt::parse(text.trim_start_matches('\u{feff}').trim())
            .ok_or_else(|| CrsError::Unreadable(text.chars().take(80).collect()))?;
        let kw = root.keyword.to_ascii_uppercase();
        let name = root.name().unwrap_or("").to_string();
        // Ellipsoid and datum decide the datum; names are only hints.
        let ell = root
            .find("SPHEROID")
            .or_else(|| root.find("ELLIPSOID"))
            .ok_or_else(|| CrsError::Unsupported(format!("{name}: no ellipsoid")))?;
        let (a, rf) = (ell.number(0).unwrap_or(0.0), ell.number(1).unwrap_or(0.0));
        let datum_name = root
            .find("DATUM")
            .and_then(Node::name)
            .unwrap_or("")
            .to_string();
        let hint = format!("{name} {datum_name}").to_ascii_lowercase();
        if (a - 6378245.0).abs() < 0.5 || hint.contains("beijing") || hint.contains("1954") {
            return Err(CrsError::ForbiddenDatum(format!("{name} (Beijing 1954)")));
        }
        if (a - 6378140.0).abs() < 0.5 || hint.contains("xian") || hint.contains("1980") {
            return Err(CrsError::ForbiddenDatum(format!("{name} (Xian 1980)")));
        }
        if (a - A).abs() > 1e-3 {
            return Err(CrsError::Unsupported(format!("{name}: ellipsoid a = {a}")));
        }
        let cgcs = (rf - RF).abs() < 1e-6;
        let wgs = (rf - 298.257223563).abs() < 1e-6;
        if !cgcs && !wgs {
            return Err(CrsError::Unsupported(format!(
                "{name}: ellipsoid 1/f = {rf}"
            )));
        }
        if matches!(
            kw.as_str(),
            "GEOGCS" | "GEOGCRS" | "GEODCRS" | "GEOGRAPHICCRS"
        ) {
            return Ok(if cgcs { Crs::Cgcs2000 } else { Crs::Wgs84 });
        }
        if !matches!(kw.as_str(), "PROJCS" | "PROJCRS" | "PROJECTEDCRS") {
            return Err(CrsError::Unsupported(format!("{kw}[{name}]")));
        }
        let method = root
            .find("PROJECTION")
            .or_else(|| root.find("METHOD"))
            .and_then(Node::name)
            .unwrap_or("")
            .to_ascii_lowercase()
            .replace([' ', '-', '_'], "");
        let param = |want: &[&str]| -> Option<f64> {
            let mut stack = vec![&root];
            while let Some(n) = stack.pop() {
                for it in &n.items {
                    if let wkt::Item::Node(c) = it {
                        let k = c.keyword.to_ascii_uppercase();
                        if k == "PARAMETER" || k == "PARAM" {
                            let pn = c
                                .name()
                                .unwrap_or("")
                                .to_ascii_lowercase()
                                .replace(' ', "_");
                            if want.contains(&pn.as_str()) {
                                return c.number(0);
                            }
                        } else if k != "BASEGEOGCRS" && k != "GEOGCS" {
                            stack.push(c);
                        }
                    }
                }
            }
            None
        };
        if method.contains("mercatorauxiliarysphere")
            || method.contains("popularvisualisation")
            || name.to_ascii_lowercase().contains("pseudo-mercator")
            || name.to_ascii_lowercase().contains("web_mercator")
        {
            return Ok(Crs::WebMercator);
        }
        if !(method.contains("transversemercator") || method.contains("gausskruger")) {
            return Err(CrsError::Unsupported(format!(
                "{name}: projection {method}"
            )));
        }
        if !cgcs {
            return Err(CrsError::Unsupported(format!(
                "{name}: transverse Mercator on WGS 84 (UTM) is not CGCS2000 Gauss–Krüger"
            )));
        }
        let cm = param(&[
            "central_meridian",
            "longitude_of_natural_origin",
            "longitude_of_origin",
        ])
        .unwrap_or(f64::NAN);
        let fe = param(&["false_easting"]).unwrap_or(0.0);
        let fnorth = param(&["false_northing"]).unwrap_or(0.0);
        let k = param(&["scale_factor", "scale_factor_at_natural_origin"]).unwrap_or(1.0);
        let lat0 = param(&["latitude_of_origin", "latitude_of_natural_origin"]).unwrap_or(0.0);
        if (k - 1.0).abs() > 1e-12 || lat0 != 0.0 || fnorth != 0.0 || cm.fract() != 0.0 {
            return Err(CrsError::Unsupported(format!(
                "{name}: k = {k}, latitude of origin {lat0}, false northing {fnorth}, central meridian {cm} is not a CGCS2000 Gauss–Krüger zone"
            )));
        }
        let cm = cm as i64;
        let hint = name.to_ascii_lowercase();
        let fe_i = fe as i64;
        if fe.fract() != 0.0 || fe_i % 1_000_000 != 500_000 {
            return Err(CrsError::Unsupported(format!("{name}: false easting {fe}")));
        }
        let prefix = fe_i / 1_000_000;
        let gk = if prefix == 0 {
            let three =
                hint.contains("3_degree") || hint.contains("3-degree") || hint.contains("3 degree");
            let six = !three && (hint.contains("gk_cm") || hint.contains("gauss-kruger cm"));
            if cm % 3 != 0 {
                return Err(CrsError::Unsupported(format!(
                    "{name}: central meridian {cm}"
                )));
            }
            // CM 123°E is both a 3° and a 6° central meridian; the projections are identical.
            if six && (cm + 3) % 6 == 0 {
                GaussKruger::new(6, (cm + 3) / 6, false)?
            } else {
                GaussKruger::new(3, cm / 3, false)?
            }
        } else if (25..=45).contains(&prefix) {
            GaussKruger::new(3, prefix, true)?
        } else {
            GaussKruger::new(6, prefix, true)?
        };
        if gk.cm_deg() as i64 != cm {
            return Err(CrsError::Unsupported(format!(
                "{name}: false easting {fe} names zone {prefix} but the central meridian is {cm}°"
            )));
        }
        Ok(Crs::GaussKruger(gk))
    }

    /// EPSG code.
    pub fn epsg(&self) -> u32 {
        match self {
            Crs::Cgcs2000 => 4490,
            Crs::Wgs84 => 4326,
            Crs::WebMercator => 3857,
            Crs::GaussKruger(g) => g.epsg(),
        }
    }

    /// `EPSG:N`.
    pub fn code(&self) -> String {
        format!("EPSG:{}", self.epsg())
    }

    /// Whether coordinates are longitude/latitude degrees.
    pub fn is_geographic(&self) -> bool {
        matches!(self, Crs::Cgcs2000 | Crs::Wgs84)
    }

    /// EPSG name (§2.3).
    pub fn name(&self) -> String {
        match self {
            Crs::Cgcs2000 => "China Geodetic Coordinate System 2000".into(),
            Crs::Wgs84 => "WGS 84".into(),
            Crs::WebMercator => "WGS 84 / Pseudo-Mercator".into(),
            Crs::GaussKruger(g) => match (g.width, g.prefixed) {
                (3, true) => format!("CGCS2000 / 3-degree Gauss-Kruger zone {}", g.zone),
                (3, false) => format!("CGCS2000 / 3-degree Gauss-Kruger CM {}E", g.cm_deg()),
                (_, true) => format!("CGCS2000 / Gauss-Kruger zone {}", g.zone),
                (_, false) => format!("CGCS2000 / Gauss-Kruger CM {}E", g.cm_deg()),
            },
        }
    }

    /// ESRI (ArcGIS) name (§2.3).
    pub fn esri_name(&self) -> String {
        match self {
            Crs::Cgcs2000 => "GCS_China_Geodetic_Coordinate_System_2000".into(),
            Crs::Wgs84 => "GCS_WGS_1984".into(),
            Crs::WebMercator => "WGS_1984_Web_Mercator_Auxiliary_Sphere".into(),
            Crs::GaussKruger(g) => match (g.width, g.prefixed) {
                (3, true) => format!("CGCS2000_3_Degree_GK_Zone_{}", g.zone),
                (3, false) => format!("CGCS2000_3_Degree_GK_CM_{}E", g.cm_deg()),
                (_, true) => format!("CGCS2000_GK_Zone_{}", g.zone),
                (_, false) => format!("CGCS2000_GK_CM_{}E", g.cm_deg()),
            },
        }
    }

    /// ESRI WKT for a `.prj` file (R-CRS-6), as ArcGIS writes it.
    pub fn to_esri_wkt(&self) -> String {
        const CGCS: &str = r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        const WGS: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        match self {
            Crs::Cgcs2000 => CGCS.into(),
            Crs::Wgs84 => WGS.into(),
            Crs::WebMercator => format!(
                r#"PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",{WGS},PROJECTION["Mercator_Auxiliary_Sphere"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0],PARAMETER["Auxiliary_Sphere_Type",0.0],UNIT["Meter",1.0]]"#
            ),
            Crs::GaussKruger(g) => format!(
                r#"PROJCS["{}",{CGCS},PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",{:.1}],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",{:.1}],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#,
                self.esri_name(),
                g.false_easting(),
                g.cm_deg() as f64
            ),
        }
    }

    /// OGC WKT 1 with EPSG authority, for GeoPackage `gpkg_spatial_ref_sys.definition`.
    pub fn to_ogc_wkt(&self) -> String {
        const CGCS: &str = r#"GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]]"#;
        const WGS: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]"#;
        match self {
            Crs::Cgcs2000 => CGCS.into(),
            Crs::Wgs84 => WGS.into(),
            Crs::WebMercator => format!(
                r#"PROJCS["WGS 84 / Pseudo-Mercator",{WGS},PROJECTION["Mercator_1SP"],PARAMETER["central_meridian",0],PARAMETER["scale_factor",1],PARAMETER["false_easting",0],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],EXTENSION["PROJ4","+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs"],AUTHORITY["EPSG","3857"]]"#
            ),
            Crs::GaussKruger(g) => format!(
                r#"PROJCS["{}",{CGCS},PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",{}],PARAMETER["scale_factor",1],PARAMETER["false_easting",{}],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Northing",NORTH],AXIS["Easting",EAST],AUTHORITY["EPSG","{}"]]"#,
                self.name(),
                g.cm_deg(),
                g.false_easting(),
                g.epsg()
            ),
        }
    }

    /// Whether two CRSes are the same mathematical projection (EPSG:4510 and 4550 are; 4326
    /// and 4490 are under R-CRS-5).
    pub fn equivalent(&self, other: &Crs) -> bool {
        match (self, other) {
            (Crs::GaussKruger(a), Crs::GaussKruger(b)) => {
                a.cm_deg() == b.cm_deg() && a.false_easting() == b.false_easting()
            }
            (a, b) => a == b || (a.is_geographic() && b.is_geographic()),
        }
    }

    /// The frame in which the area methods read this CRS's coordinates; `None` for Web
    /// Mercator, which must be converted to longitude/latitude first.
    pub fn area_frame(&self) -> Option<AreaFrame> {
        match self {
            Crs::Cgcs2000 | Crs::Wgs84 => Some(AreaFrame::LonLat),
            Crs::GaussKruger(g) => Some(AreaFrame::GaussKruger {
                cm_deg: g.cm_deg(),
                false_easting: g.false_easting(),
            }),
            Crs::WebMercator => None,
        }
    }

    /// Coordinates `[x, y]` (GIS axis order) → `[longitude, latitude]` in degrees.
    pub fn to_lonlat(&self, p: [f64; 2]) -> [f64; 2] {
        match self {
            Crs::Cgcs2000 | Crs::Wgs84 => p,
            Crs::GaussKruger(g) => {
                let (b, l) = tmerc::inverse(p[1], p[0] - g.false_easting());
                [g.cm_deg() as f64 + l.to_degrees(), b.to_degrees()]
            }
            Crs::WebMercator => [
                (p[0] / A).to_degrees(),
                (p[1] / A).sinh().atan().to_degrees(),
            ],
        }
    }

    /// `[longitude, latitude]` in degrees → coordinates `[x, y]` in GIS axis order.
    pub fn from_lonlat(&self, p: [f64; 2]) -> [f64; 2] {
        match self {
            Crs::Cgcs2000 | Crs::Wgs84 => p,
            Crs::GaussKruger(g) => {
                let (n, e) =
                    tmerc::forward(p[1].to_radians(), (p[0] - g.cm_deg() as f64).to_radians());
                [e + g.false_easting(), n]
            }
            Crs::WebMercator => {
                let lat = p[1].clamp(-85.051_128_779_806_6, 85.051_128_779_806_6);
                [A * p[0].to_radians(), A * lat.to_radians().tan().asinh()]
            }
        }
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EPSG:{} ({})", self.epsg(), self.name())
    }
}

/// A conversion between two CRSes through CGCS2000 longitude/latitude.
#[derive(Clone, Copy, Debug)]
pub struct Transform {
    from: Crs,
    to: Crs,
    identity: bool,
}

impl Transform {
    /// The conversion `from` → `to`.
    pub fn new(from: Crs, to: Crs) -> Transform {
        Transform {
            from,
            to,
            identity: from.equivalent(&to),
        }
    }

    /// Whether the conversion changes nothing.
    pub fn is_identity(&self) -> bool {
        self.identity
    }

    /// Convert one point (GIS axis order).
    #[inline]
    pub fn apply(&self, p: [f64; 2]) -> [f64; 2] {
        if self.identity {
            p
        } else {
            self.to.from_lonlat(self.from.to_lonlat(p))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epsg_ranges() {
        for code in (4491..=4554).chain([4490, 4326, 3857]) {
            let c = Crs::from_epsg(code).unwrap();
            assert_eq!(c.epsg(), code, "{code}");
            // The WKT we write identifies as the same projection.
            let back = Crs::from_wkt(&c.to_esri_wkt()).unwrap();
            assert!(back.equivalent(&c), "{code} esri: {back:?}");
            let back = Crs::from_wkt(&c.to_ogc_wkt()).unwrap();
            assert!(back.equivalent(&c), "{code} ogc: {back:?}");
        }
        // Names from §2.4.
        assert_eq!(
            Crs::from_epsg(4529).unwrap().esri_name(),
            "CGCS2000_3_Degree_GK_Zone_41"
        );
        assert_eq!(
            Crs::from_epsg(4549).unwrap().esri_name(),
            "CGCS2000_3_Degree_GK_CM_120E"
        );
        assert_eq!(
            Crs::from_epsg(4498).unwrap().esri_name(),
            "CGCS2000_GK_Zone_20"
        );
        assert_eq!(
            Crs::from_epsg(4509).unwrap().esri_name(),
            "CGCS2000_GK_CM_117E"
        );
        // Identical projections are equal.
        assert!(Crs::from_epsg(4510)
            .unwrap()
            .equivalent(&Crs::from_epsg(4550).unwrap()));
        assert!(!Crs::from_epsg(4499)
            .unwrap()
            .equivalent(&Crs::from_epsg(4529).unwrap()));
    }

    #[test]
    fn forbidden_and_unsupported() {
        assert!(matches!(
            Crs::from_epsg(4610),
            Err(CrsError::ForbiddenDatum(_))
        ));
        assert!(matches!(
            Crs::from_epsg(2383),
            Err(CrsError::ForbiddenDatum(_))
        ));
        assert!(matches!(
            Crs::from_epsg(32651),
            Err(CrsError::Unsupported(_))
        ));
        let xian = r#"PROJCS["Xian_1980_3_Degree_GK_Zone_40",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",40500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",120.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        assert!(matches!(
            Crs::from_wkt(xian),
            Err(CrsError::ForbiddenDatum(_))
        ));
        let utm = r#"PROJCS["WGS_1984_UTM_Zone_51N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",123.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        assert!(matches!(Crs::from_wkt(utm), Err(CrsError::Unsupported(_))));
    }

    #[test]
    fn parse_forms() {
        for s in [
            "EPSG:4528",
            "4528",
            "urn:ogc:def:crs:EPSG::4528",
            "http://www.opengis.net/def/crs/EPSG/0/4528",
        ] {
            assert_eq!(Crs::parse(s).unwrap().epsg(), 4528, "{s}");
        }
        assert_eq!(Crs::parse("CRS84").unwrap(), Crs::Cgcs2000);
        assert!(Crs::parse("nonsense").is_err());
    }

    #[test]
    fn qgis_wkt2_is_identified() {
        let w = r#"PROJCRS["CGCS2000 / 3-degree Gauss-Kruger CM 120E",BASEGEOGCRS["China Geodetic Coordinate System 2000",DATUM["China 2000",ELLIPSOID["CGCS2000",6378137,298.257222101,LENGTHUNIT["metre",1]]],PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],ID["EPSG",4490]],CONVERSION["3-degree Gauss-Kruger CM 120E",METHOD["Transverse Mercator",ID["EPSG",9807]],PARAMETER["Latitude of natural origin",0,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8801]],PARAMETER["Longitude of natural origin",120,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8802]],PARAMETER["Scale factor at natural origin",1,SCALEUNIT["unity",1],ID["EPSG",8805]],PARAMETER["False easting",500000,LENGTHUNIT["metre",1],ID["EPSG",8806]],PARAMETER["False northing",0,LENGTHUNIT["metre",1],ID["EPSG",8807]]],CS[Cartesian,2],AXIS["northing (X)",north,ORDER[1],LENGTHUNIT["metre",1]],AXIS["easting (Y)",east,ORDER[2],LENGTHUNIT["metre",1]],ID["EPSG",4549]]"#;
        assert_eq!(Crs::from_wkt(w).unwrap().epsg(), 4549);
    }

    #[test]
    fn section_2_4_reference_points() {
        // (lon, lat, EPSG, X northing, Y easting), to 1 mm.
        let pts = [
            (122.26, 43.62, 4529, 4831867.233, 41440269.836),
            (122.26, 43.62, 4550, 4831867.233, 440269.836),
            (122.26, 43.62, 4499, 4831867.233, 21440269.836),
            (119.66, 45.53, 4528, 5043903.201, 40473440.377),
            (119.66, 45.53, 4549, 5043903.201, 473440.377),
            (119.66, 45.53, 4498, 5047290.241, 20707788.729),
            (123.72, 44.00, 4529, 4874074.429, 41557748.515),
            (119.25, 44.50, 4528, 4929654.568, 40440352.796),
        ];
        for (lon, lat, code, x, y) in pts {
            let c = Crs::from_epsg(code).unwrap();
            let p = c.from_lonlat([lon, lat]);
            assert!(
                (p[0] - y).abs() < 1e-3 && (p[1] - x).abs() < 1e-3,
                "{code}: {p:?}"
            );
        }
    }

    #[test]
    fn zone_of_longitude() {
        assert_eq!(GaussKruger::zone_of(3, 121.49, true).unwrap().zone, 40);
        assert_eq!(GaussKruger::zone_of(3, 121.5, true).unwrap().zone, 41);
        assert_eq!(GaussKruger::zone_of(6, 119.9, true).unwrap().zone, 20);
        assert_eq!(GaussKruger::zone_of(6, 120.0, true).unwrap().zone, 21);
    }
}
