//! Patches that tile each real county boundary: a jittered grid in the county's Gauss–Krüger
//! zone whose vertices and edge subdivisions are functions of their grid position (so
//! neighbouring patches share edges exactly), cells grouped into rectangular blocks of varied
//! size, and blocks on the county line clipped to it.

use crate::rng::{hash, unit};
use geo::{BooleanOps, Contains};
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use onemap_geodesy::crs::{Crs, GaussKruger};
use rstar::{RTree, RTreeObject, AABB};

/// One county of the city.
pub struct County {
    /// 6-digit code.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// Its 3° zone (40 or 41; the county seat's zone, standards §4.7).
    pub crs: Crs,
    /// Boundary in longitude/latitude.
    pub lonlat: Polygon<f64>,
    /// Boundary in the zone's plane coordinates.
    pub plane: Polygon<f64>,
    /// Published area, km² (for sizing the grid).
    pub area_km2: f64,
}

/// The counties, from the copied shared data.
pub fn counties() -> Result<Vec<County>, String> {
    let text = include_str!("../../../data/tongliao/counties.geojson");
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for f in v["features"].as_array().ok_or("no features")? {
        let code = f["properties"]["code"].as_str().ok_or("code")?.to_string();
        let name = f["properties"]["name"].as_str().ok_or("name")?.to_string();
        let area_km2 = f["properties"]["area_km2"].as_f64().ok_or("area")?;
        let ring: Vec<Coord<f64>> = f["geometry"]["coordinates"][0]
            .as_array()
            .ok_or("ring")?
            .iter()
            .map(|c| Coord {
                x: c[0].as_f64().unwrap_or(0.0),
                y: c[1].as_f64().unwrap_or(0.0),
            })
            .collect();
        // Densify every segment at fixed fractions (≤ ~50 m): a border segment is straight in
        // one zone and slightly curved in the other; short segments keep the two counties'
        // patches on the same line, and both counties get the same points.
        let mut dense = Vec::with_capacity(ring.len() * 8);
        for w in ring.windows(2) {
            let k = ((w[1].x - w[0].x).hypot(w[1].y - w[0].y) / 0.0005)
                .ceil()
                .max(1.0) as usize;
            for m in 0..k {
                let t = m as f64 / k as f64;
                dense.push(Coord {
                    x: w[0].x + t * (w[1].x - w[0].x),
                    y: w[0].y + t * (w[1].y - w[0].y),
                });
            }
        }
        dense.push(ring[ring.len() - 1]);
        let ring = dense;
        let zone = if matches!(code.as_str(), "150523" | "150525" | "150526" | "150581") {
            40
        } else {
            41
        };
        let crs = Crs::GaussKruger(GaussKruger::new(3, zone, true).map_err(|e| e.to_string())?);
        let plane: Vec<Coord<f64>> = ring
            .iter()
            .map(|c| {
                let p = crs.from_lonlat([c.x, c.y]);
                Coord { x: p[0], y: p[1] }
            })
            .collect();
        out.push(County {
            code,
            name,
            crs,
            lonlat: Polygon::new(LineString(ring), vec![]),
            plane: Polygon::new(LineString(plane), vec![]),
            area_km2,
        });
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

/// A patch before it has a class: its geometry in the county's zone, its grid block, and the
/// longitude/latitude of its centre.
pub struct Cell {
    /// County index.
    pub county: usize,
    /// Geometry in the county's zone (one part).
    pub geom: Polygon<f64>,
    /// Centre, degrees.
    pub lon: f64,
    /// Centre, degrees.
    pub lat: f64,
    /// Whether the block was forced to a single cell (roads, rivers).
    pub line: bool,
}

struct Seg {
    a: [f64; 2],
    b: [f64; 2],
}

impl RTreeObject for Seg {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners(self.a, self.b)
    }
}

/// The grid of one county.
struct Grid {
    x0: f64,
    y0: f64,
    s: f64,
    seed: u64,
    salt: u64,
    /// Jitter scale: 1 for the first try, halved when a block came out self-intersecting.
    jitter: f64,
}

impl Grid {
    fn vertex(&self, i: i64, j: i64) -> Coord<f64> {
        let h = hash(self.seed, self.salt, i as u64, j as u64);
        let jx = (unit(h) - 0.5) * 0.4 * self.jitter * self.s;
        let jy = (unit(hash(h, 1, 0, 0)) - 0.5) * 0.4 * self.jitter * self.s;
        Coord {
            x: self.x0 + i as f64 * self.s + jx,
            y: self.y0 + j as f64 * self.s + jy,
        }
    }

    /// Interior points of the edge from vertex (i, j) to (i+1, j) (`horizontal`) or to
    /// (i, j+1), in that direction.
    fn edge(&self, i: i64, j: i64, horizontal: bool) -> Vec<Coord<f64>> {
        let a = self.vertex(i, j);
        let b = if horizontal {
            self.vertex(i + 1, j)
        } else {
            self.vertex(i, j + 1)
        };
        let h = hash(
            self.seed ^ 0x5bd1e995,
            self.salt + horizontal as u64,
            i as u64,
            j as u64,
        );
        let k = 1 + (h % 4) as usize;
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len = dx.hypot(dy).max(1e-9);
        let (nx, ny) = (-dy / len, dx / len);
        (1..=k)
            .map(|m| {
                let t = m as f64 / (k + 1) as f64;
                let off = (unit(hash(h, m as u64, 7, 7)) - 0.5) * 0.1 * self.jitter * self.s;
                let mm = |v: f64| (v * 1000.0).round() / 1000.0;
                Coord {
                    x: mm(a.x + t * dx + off * nx),
                    y: mm(a.y + t * dy + off * ny),
                }
            })
            .collect()
    }

    fn v(&self, i: i64, j: i64) -> Coord<f64> {
        let c = self.vertex(i, j);
        Coord {
            x: (c.x * 1000.0).round() / 1000.0,
            y: (c.y * 1000.0).round() / 1000.0,
        }
    }

    /// The ring of the block of w × h cells with lower-left cell (i0, j0), counter-clockwise.
    fn block(&self, i0: i64, j0: i64, w: i64, h: i64) -> Polygon<f64> {
        let mut r = Vec::new();
        for i in i0..i0 + w {
            r.push(self.v(i, j0));
            r.extend(self.edge(i, j0, true));
        }
        for j in j0..j0 + h {
            r.push(self.v(i0 + w, j));
            r.extend(self.edge(i0 + w, j, false));
        }
        for i in (i0..i0 + w).rev() {
            r.push(self.v(i + 1, j0 + h));
            r.extend(self.edge(i, j0 + h, true).into_iter().rev());
        }
        for j in (j0..j0 + h).rev() {
            r.push(self.v(i0, j + 1));
            r.extend(self.edge(i0, j, false).into_iter().rev());
        }
        r.push(r[0]);
        Polygon::new(LineString(r), vec![])
    }
}

/// Block shapes (w, h) and their weights: mostly single and double cells, a tail of large
/// blocks (grassland, forest, sand) for the long tail of patch sizes.
const SHAPES: &[((i64, i64), u64)] = &[
    ((1, 1), 40),
    ((2, 1), 12),
    ((1, 2), 12),
    ((2, 2), 14),
    ((3, 2), 7),
    ((2, 3), 7),
    ((3, 3), 4),
    ((4, 4), 2),
    ((6, 6), 1),
    ((8, 8), 1),
];

/// Cells per patch on average (after blocks shrink to fit).
pub const MEAN_CELLS: f64 = 2.55;

/// Tile every county with about `n` patches in all. `is_line(lon, lat)` forces single cells
/// (roads, rivers).
pub fn tile(
    counties: &[County],
    n: u64,
    seed: u64,
    is_line: &dyn Fn(f64, f64) -> bool,
) -> Vec<Cell> {
    let total_km2: f64 = counties.iter().map(|c| c.area_km2).sum();
    let mean_cells = MEAN_CELLS;
    let s = ((total_km2 * 1e6) / (n as f64 * mean_cells)).sqrt();
    let weight_sum: u64 = SHAPES.iter().map(|s| s.1).sum();
    let mut out = Vec::new();
    for (ci, c) in counties.iter().enumerate() {
        // A block whose jittered corner is too sharp could cross itself: then the county is
        // tiled again with half the jitter (the whole grid, so that shared edges stay shared).
        let mut jitter = 1.0;
        loop {
            let cells = tile_county(ci, c, s, seed, jitter, weight_sum, is_line);
            let bad = cells
                .iter()
                .filter(|c| {
                    onemap_survey::checks::ring_self_intersection(&c.geom.exterior().0).is_some()
                })
                .count();
            if bad == 0 || jitter < 0.01 {
                out.extend(cells);
                break;
            }
            jitter *= 0.5;
        }
    }
    out
}

/// Tile one county.
fn tile_county(
    ci: usize,
    c: &County,
    s: f64,
    seed: u64,
    jitter: f64,
    weight_sum: u64,
    is_line: &dyn Fn(f64, f64) -> bool,
) -> Vec<Cell> {
    let mut out = Vec::new();
    let bb = geo::BoundingRect::bounding_rect(&c.plane)
        .unwrap_or_else(|| geo_types::Rect::new((0.0, 0.0), (1.0, 1.0)));
    let grid = Grid {
        x0: (bb.min().x / s).floor() * s,
        y0: (bb.min().y / s).floor() * s,
        s,
        seed,
        salt: ci as u64 * 1000,
        jitter,
    };
    let nx = ((bb.max().x - grid.x0) / s).ceil() as i64 + 1;
    let ny = ((bb.max().y - grid.y0) / s).ceil() as i64 + 1;
    let segs: Vec<Seg> = c
        .plane
        .exterior()
        .0
        .windows(2)
        .map(|w| Seg {
            a: [w[0].x, w[0].y],
            b: [w[1].x, w[1].y],
        })
        .collect();
    let boundary = RTree::bulk_load(segs);
    let center_lonlat = |x: f64, y: f64| c.crs.to_lonlat([x, y]);
    let mut taken = vec![false; (nx * ny) as usize];
    let idx = |i: i64, j: i64| (j * nx + i) as usize;
    for j in 0..ny {
        for i in 0..nx {
            if taken[idx(i, j)] {
                continue;
            }
            let (lon, lat) = {
                let p = center_lonlat(
                    grid.x0 + (i as f64 + 0.5) * s,
                    grid.y0 + (j as f64 + 0.5) * s,
                );
                (p[0], p[1])
            };
            let line = is_line(lon, lat);
            let (mut w, mut h) = if line {
                (1, 1)
            } else {
                let mut pick = hash(seed, 77, (ci as u64) << 32 | i as u64, j as u64) % weight_sum;
                let mut shape = (1, 1);
                for &(sh, wt) in SHAPES {
                    if pick < wt {
                        shape = sh;
                        break;
                    }
                    pick -= wt;
                }
                shape
            };
            // Shrink until every cell of the block is free and inside the grid.
            let free = |i2: i64, j2: i64| i2 < nx && j2 < ny && !taken[idx(i2, j2)];
            while w * h > 1 && !(0..w).all(|di| (0..h).all(|dj| free(i + di, j + dj))) {
                if w >= h {
                    w -= 1;
                } else {
                    h -= 1;
                }
            }
            if w * h > 1 {
                let crosses_line = (0..w).any(|di| {
                    (0..h).any(|dj| {
                        let p = center_lonlat(
                            grid.x0 + ((i + di) as f64 + 0.5) * s,
                            grid.y0 + ((j + dj) as f64 + 0.5) * s,
                        );
                        is_line(p[0], p[1])
                    })
                });
                if crosses_line {
                    w = 1;
                    h = 1;
                }
            }
            for dj in 0..h {
                for di in 0..w {
                    taken[idx(i + di, j + dj)] = true;
                }
            }
            let block = grid.block(i, j, w, h);
            let Some(bbr) = geo::BoundingRect::bounding_rect(&block) else {
                continue;
            };
            let env = AABB::from_corners([bbr.min().x, bbr.min().y], [bbr.max().x, bbr.max().y]);
            let on_boundary = boundary
                .locate_in_envelope_intersecting(&env)
                .next()
                .is_some();
            let parts: Vec<Polygon<f64>> = if !on_boundary {
                let centre = Point::new(
                    (bbr.min().x + bbr.max().x) / 2.0,
                    (bbr.min().y + bbr.max().y) / 2.0,
                );
                if c.plane.contains(&centre) {
                    vec![block]
                } else {
                    vec![]
                }
            } else {
                let window = clip_to_rect(
                    &c.plane.exterior().0,
                    bbr.min().x - s,
                    bbr.min().y - s,
                    bbr.max().x + s,
                    bbr.max().y + s,
                );
                let clipped: MultiPolygon<f64> = block.intersection(&window);
                clipped
                    .0
                    .into_iter()
                    .filter(|p| geo::Area::unsigned_area(p) > 50.0)
                    .map(|p| snap(p, &block, &boundary))
                    .collect()
            };
            for p in parts {
                let ctr = geo::InteriorPoint::interior_point(&p)
                    .map(|q| q.0)
                    .unwrap_or(p.exterior().0[0]);
                let ll = c.crs.to_lonlat([ctr.x, ctr.y]);
                out.push(Cell {
                    county: ci,
                    geom: dedup(p),
                    lon: ll[0],
                    lat: ll[1],
                    line,
                });
            }
        }
    }
    out
}

/// Make a clipped patch share its edges with its neighbours exactly: the block's own vertices
/// that clipping moved by rounding are put back, and each new vertex where a block edge meets
/// the county line is recomputed from the two segments with their endpoints in a canonical
/// order, so that the neighbour on the other side of that block edge gets the same point.
fn snap(p: Polygon<f64>, block: &Polygon<f64>, boundary: &RTree<Seg>) -> Polygon<f64> {
    let orig = &block.exterior().0;
    let near_seg = |c: Coord<f64>, a: Coord<f64>, b: Coord<f64>| {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let t = (((c.x - a.x) * dx + (c.y - a.y) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
        (a.x + t * dx - c.x).hypot(a.y + t * dy - c.y)
    };
    let canonical = |a: Coord<f64>, b: Coord<f64>| {
        if (a.x, a.y) <= (b.x, b.y) {
            (a, b)
        } else {
            (b, a)
        }
    };
    let f = |l: &LineString<f64>| {
        LineString(
            l.0.iter()
                .map(|&c| {
                    if let Some(o) = orig.iter().find(|o| (o.x - c.x).hypot(o.y - c.y) < 0.01) {
                        return *o;
                    }
                    let env =
                        AABB::from_corners([c.x - 0.01, c.y - 0.01], [c.x + 0.01, c.y + 0.01]);
                    for s in boundary.locate_in_envelope_intersecting(&env) {
                        let (p0, q0) = (
                            Coord {
                                x: s.a[0],
                                y: s.a[1],
                            },
                            Coord {
                                x: s.b[0],
                                y: s.b[1],
                            },
                        );
                        if (p0.x - c.x).hypot(p0.y - c.y) < 0.01 {
                            return p0;
                        }
                        if (q0.x - c.x).hypot(q0.y - c.y) < 0.01 {
                            return q0;
                        }
                        if near_seg(c, p0, q0) >= 0.01 {
                            continue;
                        }
                        for w in orig.windows(2) {
                            if near_seg(c, w[0], w[1]) < 0.01 {
                                let (a, b) = canonical(w[0], w[1]);
                                let (p, q) = canonical(p0, q0);
                                let (r, sv) = (
                                    Coord {
                                        x: b.x - a.x,
                                        y: b.y - a.y,
                                    },
                                    Coord {
                                        x: q.x - p.x,
                                        y: q.y - p.y,
                                    },
                                );
                                let den = r.x * sv.y - r.y * sv.x;
                                if den != 0.0 {
                                    let t = ((p.x - a.x) * sv.y - (p.y - a.y) * sv.x) / den;
                                    return Coord {
                                        x: a.x + t * r.x,
                                        y: a.y + t * r.y,
                                    };
                                }
                            }
                        }
                    }
                    c
                })
                .collect(),
        )
    };
    Polygon::new(f(p.exterior()), p.interiors().iter().map(f).collect())
}

/// Without repeated consecutive vertices. Block vertices are whole millimetres already; points on
/// the county line are kept exact so that both counties' patches meet on it.
fn dedup(p: Polygon<f64>) -> Polygon<f64> {
    let f = |l: &LineString<f64>| {
        let mut v = l.0.clone();
        v.dedup();
        LineString(v)
    };
    Polygon::new(f(p.exterior()), p.interiors().iter().map(f).collect())
}

/// The part of a ring inside a rectangle (Sutherland–Hodgman). For a concave ring the result
/// may run along the rectangle's edges, which lie outside the block being clipped and so do not
/// change the intersection with it.
fn clip_to_rect(ring: &[Coord<f64>], x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
    let mut pts: Vec<Coord<f64>> = ring.to_vec();
    // (inside test, edge value, whether the edge is vertical)
    type Edge = (fn(Coord<f64>, f64) -> bool, f64, bool);
    let edges: [Edge; 4] = [
        (|c, v| c.x >= v, x0, true),
        (|c, v| c.x <= v, x1, true),
        (|c, v| c.y >= v, y0, false),
        (|c, v| c.y <= v, y1, false),
    ];
    for (inside, v, vertical) in edges {
        if pts.is_empty() {
            break;
        }
        let mut out = Vec::with_capacity(pts.len());
        for i in 0..pts.len() {
            let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
            let cut = |a: Coord<f64>, b: Coord<f64>| {
                if vertical {
                    let t = (v - a.x) / (b.x - a.x);
                    Coord {
                        x: v,
                        y: a.y + t * (b.y - a.y),
                    }
                } else {
                    let t = (v - a.y) / (b.y - a.y);
                    Coord {
                        x: a.x + t * (b.x - a.x),
                        y: v,
                    }
                }
            };
            match (inside(a, v), inside(b, v)) {
                (true, true) => out.push(b),
                (true, false) => out.push(cut(a, b)),
                (false, true) => {
                    out.push(cut(a, b));
                    out.push(b);
                }
                (false, false) => {}
            }
        }
        pts = out;
    }
    if let (Some(&f), Some(&l)) = (pts.first(), pts.last()) {
        if f != l {
            pts.push(f);
        }
    }
    Polygon::new(LineString(pts), vec![])
}
