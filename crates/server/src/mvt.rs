//! A Mapbox Vector Tile 2.1 encoder (protobuf written by hand: the format is small) and the
//! Web Mercator tile arithmetic.

/// Tile extent (units per tile side).
pub const EXTENT: i32 = 4096;

/// A value in a tile layer.
#[derive(Clone, Debug, PartialEq)]
pub enum TileValue {
    /// String.
    Str(String),
    /// Double.
    Num(f64),
}

/// One polygon feature: rings in tile units (outer rings then their holes) and its values.
pub struct TileFeature {
    /// Feature id.
    pub id: u64,
    /// Rings as closed-implicitly integer points, outer ring first in each polygon.
    pub rings: Vec<(Vec<[i32; 2]>, bool)>,
    /// Values, aligned with the layer's keys.
    pub values: Vec<TileValue>,
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn key(out: &mut Vec<u8>, field: u32, wire: u32) {
    varint(out, ((field << 3) | wire) as u64);
}

fn bytes(out: &mut Vec<u8>, field: u32, b: &[u8]) {
    key(out, field, 2);
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn zigzag(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

/// Signed area ×2 in tile coordinates (y down): positive for an outer ring per the spec.
fn area2(r: &[[i32; 2]]) -> i64 {
    let n = r.len();
    (0..n)
        .map(|i| {
            let (p, q) = (r[i], r[(i + 1) % n]);
            p[0] as i64 * q[1] as i64 - q[0] as i64 * p[1] as i64
        })
        .sum()
}

/// Encode one layer as a complete tile.
pub fn encode_layer(name: &str, keys: &[String], features: &[TileFeature]) -> Vec<u8> {
    let mut layer = Vec::new();
    key(&mut layer, 15, 0);
    varint(&mut layer, 2);
    bytes(&mut layer, 1, name.as_bytes());
    // Values are deduplicated.
    let mut values: Vec<TileValue> = Vec::new();
    let mut index: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for f in features {
        let mut feat = Vec::new();
        key(&mut feat, 1, 0);
        varint(&mut feat, f.id);
        let mut tags = Vec::new();
        for (k, v) in f.values.iter().enumerate() {
            let sig = match v {
                TileValue::Str(s) => format!("s{s}"),
                TileValue::Num(x) => format!("n{}", x.to_bits()),
            };
            let vi = *index.entry(sig).or_insert_with(|| {
                values.push(v.clone());
                (values.len() - 1) as u32
            });
            varint(&mut tags, k as u64);
            varint(&mut tags, vi as u64);
        }
        bytes(&mut feat, 2, &tags);
        key(&mut feat, 3, 0);
        varint(&mut feat, 3);
        let mut geom = Vec::new();
        let (mut cx, mut cy) = (0i32, 0i32);
        for (ring, hole) in &f.rings {
            let mut r = ring.clone();
            // Outer rings positive (clockwise on screen), holes negative.
            if (area2(&r) > 0) == *hole {
                r.reverse();
            }
            varint(&mut geom, (1 | (1 << 3)) as u64);
            varint(&mut geom, zigzag(r[0][0] - cx) as u64);
            varint(&mut geom, zigzag(r[0][1] - cy) as u64);
            (cx, cy) = (r[0][0], r[0][1]);
            varint(&mut geom, 2 | ((r.len() as u64 - 1) << 3));
            for p in &r[1..] {
                varint(&mut geom, zigzag(p[0] - cx) as u64);
                varint(&mut geom, zigzag(p[1] - cy) as u64);
                (cx, cy) = (p[0], p[1]);
            }
            varint(&mut geom, (7 | (1 << 3)) as u64);
        }
        bytes(&mut feat, 4, &geom);
        bytes(&mut layer, 2, &feat);
    }
    for k in keys {
        bytes(&mut layer, 3, k.as_bytes());
    }
    for v in &values {
        let mut vb = Vec::new();
        match v {
            TileValue::Str(s) => bytes(&mut vb, 1, s.as_bytes()),
            TileValue::Num(x) => {
                key(&mut vb, 3, 1);
                vb.extend_from_slice(&x.to_le_bytes());
            }
        }
        bytes(&mut layer, 4, &vb);
    }
    key(&mut layer, 5, 0);
    varint(&mut layer, EXTENT as u64);
    let mut tile = Vec::new();
    bytes(&mut tile, 3, &layer);
    tile
}

/// Longitude/latitude of a tile corner (x, y may be fractional).
pub fn tile_to_lonlat(z: u8, x: f64, y: f64) -> [f64; 2] {
    let n = (1u64 << z) as f64;
    let lon = x / n * 360.0 - 180.0;
    let lat = (std::f64::consts::PI * (1.0 - 2.0 * y / n))
        .sinh()
        .atan()
        .to_degrees();
    [lon, lat]
}

/// Tile units of a lon/lat point in tile (z, x, y).
pub fn lonlat_to_tile(z: u8, x: u32, y: u32, p: [f64; 2]) -> [f64; 2] {
    let n = (1u64 << z) as f64;
    let lat = p[1].clamp(-85.051_128_78, 85.051_128_78).to_radians();
    let tx = (p[0] + 180.0) / 360.0 * n;
    let ty = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    [
        (tx - x as f64) * EXTENT as f64,
        (ty - y as f64) * EXTENT as f64,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_zigzag() {
        let mut v = Vec::new();
        varint(&mut v, 300);
        assert_eq!(v, [0xAC, 0x02]);
        assert_eq!((zigzag(0), zigzag(-1), zigzag(1), zigzag(-2)), (0, 1, 2, 3));
    }

    #[test]
    fn the_spec_example_polygon() {
        // MVT 2.1 §4.3.4.4: polygon (3,6) (8,12) (20,34) encodes as
        // [9, 6, 12, 18, 10, 12, 24, 44, 15].
        let f = TileFeature {
            id: 1,
            rings: vec![(vec![[3, 6], [8, 12], [20, 34]], false)],
            values: vec![],
        };
        let t = encode_layer("x", &[], &[f]);
        let want = [9u8, 6, 12, 18, 10, 12, 24, 44, 15];
        assert!(t.windows(want.len()).any(|w| w == want), "{t:?}");
    }

    #[test]
    fn tile_corners() {
        let p = tile_to_lonlat(1, 1.0, 1.0);
        assert!(p[0].abs() < 1e-12 && p[1].abs() < 1e-12);
        let q = lonlat_to_tile(1, 1, 1, [90.0, 0.0]);
        assert!((q[0] - 2048.0).abs() < 1e-9 && q[1].abs() < 1e-9);
    }
}
