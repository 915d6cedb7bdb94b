//! Where things are in Tongliao: seats (from the shared data), rivers, the Horqin sandy land,
//! reservoirs, the northern hills, roads and the railway (hand-drawn approximations of their
//! courses, good enough for a stand-in), and the class of each patch.

use crate::rng::{hash, unit};

/// City and county seats: (county code, lon, lat, is the city seat).
pub const SEATS: &[(&str, f64, f64, bool)] = &[
    ("150502", 122.257574, 43.615053, true),
    ("150521", 123.307610, 44.124979, false),
    ("150522", 122.349529, 42.952104, false),
    ("150523", 121.302945, 43.600029, false),
    ("150524", 121.769295, 42.732459, false),
    ("150525", 120.657110, 42.844725, false),
    ("150526", 120.899693, 44.553587, false),
    ("150581", 119.651262, 45.530547, false),
];

/// Rivers: name and course (lon, lat).
pub const RIVERS: &[(&str, &[(f64, f64)])] = &[
    (
        "西辽河",
        &[
            (120.35, 43.30),
            (120.9, 43.45),
            (121.3, 43.53),
            (121.8, 43.58),
            (122.26, 43.66),
            (122.8, 43.85),
            (123.3, 44.05),
            (123.7, 44.2),
        ],
    ),
    (
        "新开河",
        &[
            (120.6, 43.62),
            (121.3, 43.73),
            (122.0, 43.78),
            (122.5, 43.84),
            (123.0, 43.98),
        ],
    ),
    (
        "教来河",
        &[
            (120.45, 42.45),
            (120.65, 42.85),
            (120.85, 43.15),
            (121.0, 43.42),
        ],
    ),
    (
        "乌力吉木仁河",
        &[
            (119.9, 44.55),
            (120.45, 44.25),
            (121.0, 43.95),
            (121.4, 43.72),
        ],
    ),
    (
        "霍林河",
        &[
            (119.45, 45.5),
            (120.2, 45.2),
            (121.0, 44.95),
            (121.9, 44.75),
        ],
    ),
];

/// Reservoirs: (name, lon, lat, radius km).
pub const RESERVOIRS: &[(&str, f64, f64, f64)] = &[
    ("莫力庙水库", 122.65, 43.52, 4.0),
    ("舍力虎水库", 121.75, 42.98, 2.5),
    ("孟家段水库", 123.05, 43.78, 3.0),
];

/// The Horqin sandy land as ellipses: (lon, lat, half-width °, half-height °).
const SAND: &[(f64, f64, f64, f64)] = &[
    (120.95, 42.98, 0.55, 0.22),
    (121.75, 43.05, 0.45, 0.22),
    (122.55, 43.18, 0.6, 0.28),
    (122.85, 43.82, 0.55, 0.2),
    (121.2, 43.95, 0.4, 0.18),
];

/// Distance in km between two points given in degrees (local flat approximation).
pub fn km(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let kx = 111.32 * (lat1.to_radians()).cos();
    ((lon1 - lon2) * kx).hypot((lat1 - lat2) * 110.57)
}

fn dist_to_polyline(lon: f64, lat: f64, pts: &[(f64, f64)]) -> f64 {
    let kx = 111.32 * lat.to_radians().cos();
    let p = (lon * kx, lat * 110.57);
    pts.windows(2)
        .map(|w| {
            let a = (w[0].0 * kx, w[0].1 * 110.57);
            let b = (w[1].0 * kx, w[1].1 * 110.57);
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
            ((a.0 + t * dx) - p.0).hypot((a.1 + t * dy) - p.1)
        })
        .fold(f64::INFINITY, f64::min)
}

/// Distance to the nearest river, km, and its name.
pub fn river(lon: f64, lat: f64) -> (f64, &'static str) {
    RIVERS
        .iter()
        .map(|(n, p)| (dist_to_polyline(lon, lat, p), *n))
        .fold((f64::INFINITY, ""), |a, b| if b.0 < a.0 { b } else { a })
}

/// Roads between the city and each county seat, and the railway to 霍林郭勒: distance, km.
pub fn road(lon: f64, lat: f64) -> f64 {
    let city = (SEATS[0].1, SEATS[0].2);
    SEATS[1..]
        .iter()
        .map(|s| dist_to_polyline(lon, lat, &[city, (s.1, s.2)]))
        .fold(f64::INFINITY, f64::min)
}

/// Distance to the railway 通辽–鲁北–霍林郭勒, km.
pub fn railway(lon: f64, lat: f64) -> f64 {
    dist_to_polyline(
        lon,
        lat,
        &[
            (SEATS[0].1, SEATS[0].2),
            (SEATS[6].1, SEATS[6].2),
            (SEATS[7].1, SEATS[7].2),
        ],
    )
}

/// How much of the sandy land a point is in: 0 outside … 1 at a core.
pub fn sand(lon: f64, lat: f64) -> f64 {
    SAND.iter()
        .map(|(x, y, a, b)| (1.0 - ((lon - x) / a).powi(2) - ((lat - y) / b).powi(2)).max(0.0))
        .fold(0.0, f64::max)
}

/// The northern hills (大兴安岭 foothills): 0 in the plain … 1 in the north.
pub fn north(lat: f64) -> f64 {
    ((lat - 44.1) / 0.6).clamp(0.0, 1.0)
}

/// Southern hills of 库伦 and 奈曼.
pub fn south_hills(lat: f64) -> f64 {
    ((42.75 - lat) / 0.3).clamp(0.0, 1.0)
}

/// Nearest seat: (index in SEATS, distance km).
pub fn seat(lon: f64, lat: f64) -> (usize, f64) {
    SEATS
        .iter()
        .enumerate()
        .map(|(i, s)| (i, km(lon, lat, s.1, s.2)))
        .fold((0, f64::INFINITY), |a, b| if b.1 < a.1 { b } else { a })
}

/// Urban radius of a seat, km.
pub fn urban_radius(i: usize) -> f64 {
    if SEATS[i].3 {
        9.0
    } else if SEATS[i].0 == "150581" {
        4.5
    } else {
        3.2
    }
}

/// Natural class families that are placed by quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// 耕地.
    Cultivated,
    /// 草地.
    Grass,
    /// 林地.
    Forest,
    /// 沙地.
    Sand,
    /// 盐碱地.
    Saline,
}

/// The families and their 2020 city targets, km² (cultivated ≈ 3% above 3179.6591 万亩).
pub const FAMILIES: &[(Family, f64)] = &[
    (Family::Cultivated, 21_900.0),
    (Family::Forest, 7_900.0),
    (Family::Sand, 3_700.0),
    (Family::Saline, 550.0),
    (Family::Grass, 0.0),
];

/// Suitability of a place for a family (higher is better), with per-patch noise.
pub fn score(f: Family, lon: f64, lat: f64, noise: f64) -> f64 {
    let s = sand(lon, lat);
    let n = north(lat);
    let sh = south_hills(lat);
    let (rd, _) = river(lon, lat);
    let near_river = (1.0 - rd / 25.0).max(0.0);
    let plain = (1.0 - n) * (1.0 - s) * (1.0 - sh);
    match f {
        Family::Cultivated => 1.6 * plain + 0.6 * near_river - 1.2 * s + 0.9 * noise,
        Family::Grass => 1.3 * n + 0.5 * s + 0.3 * sh + 0.9 * noise,
        Family::Forest => 0.9 * n + 0.6 * s + 0.8 * sh + 0.9 * noise,
        Family::Sand => 2.2 * s - 0.4 + 0.9 * noise,
        Family::Saline => 0.4 * plain + 1.4 * noise - 1.0,
    }
}

/// A specific class within a family at a place.
pub fn class_in(f: Family, lon: f64, lat: f64, h: u64) -> &'static str {
    let u = unit(hash(h, 91, 0, 0));
    let (rd, _) = river(lon, lat);
    match f {
        Family::Cultivated => {
            if rd < 12.0 && u < 0.55 || u < 0.18 {
                if u < 0.03 && rd < 10.0 {
                    "0101"
                } else {
                    "0102"
                }
            } else {
                "0103"
            }
        }
        Family::Grass => {
            if north(lat) > 0.3 && u < 0.65 {
                "0401"
            } else if u < 0.04 {
                "0403"
            } else {
                "0404"
            }
        }
        Family::Forest => {
            if sand(lon, lat) > 0.1 && u < 0.6 {
                "0305"
            } else if u < 0.08 {
                "0307"
            } else {
                "0301"
            }
        }
        Family::Sand => "1205",
        Family::Saline => "1204",
    }
}
