//! Well-known binary (ISO, 2D out, 2D/Z/M/ZM in) and the GeoPackage binary header.

use geo_types::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon,
};

/// Encode a geometry as little-endian ISO WKB (2D).
pub fn encode(g: &Geometry<f64>, out: &mut Vec<u8>) {
    fn head(out: &mut Vec<u8>, t: u32) {
        out.push(1);
        out.extend_from_slice(&t.to_le_bytes());
    }
    fn n(out: &mut Vec<u8>, k: usize) {
        out.extend_from_slice(&(k as u32).to_le_bytes());
    }
    fn coords(out: &mut Vec<u8>, cs: &[Coord<f64>]) {
        n(out, cs.len());
        for c in cs {
            out.extend_from_slice(&c.x.to_le_bytes());
            out.extend_from_slice(&c.y.to_le_bytes());
        }
    }
    fn poly(out: &mut Vec<u8>, p: &Polygon<f64>) {
        head(out, 3);
        n(out, 1 + p.interiors().len());
        coords(out, &p.exterior().0);
        for h in p.interiors() {
            coords(out, &h.0);
        }
    }
    match g {
        Geometry::Point(p) => {
            head(out, 1);
            out.extend_from_slice(&p.x().to_le_bytes());
            out.extend_from_slice(&p.y().to_le_bytes());
        }
        Geometry::LineString(l) => {
            head(out, 2);
            coords(out, &l.0);
        }
        Geometry::Polygon(p) => poly(out, p),
        Geometry::MultiPoint(mp) => {
            head(out, 4);
            n(out, mp.0.len());
            for p in &mp.0 {
                encode(&Geometry::Point(*p), out);
            }
        }
        Geometry::MultiLineString(ml) => {
            head(out, 5);
            n(out, ml.0.len());
            for l in &ml.0 {
                head(out, 2);
                coords(out, &l.0);
            }
        }
        Geometry::MultiPolygon(mp) => {
            head(out, 6);
            n(out, mp.0.len());
            for p in &mp.0 {
                poly(out, p);
            }
        }
        Geometry::GeometryCollection(gc) => {
            head(out, 7);
            n(out, gc.0.len());
            for g in &gc.0 {
                encode(g, out);
            }
        }
        Geometry::Line(l) => encode(&Geometry::LineString(LineString(vec![l.start, l.end])), out),
        Geometry::Rect(r) => encode(&Geometry::Polygon(r.to_polygon()), out),
        Geometry::Triangle(t) => encode(&Geometry::Polygon(t.to_polygon()), out),
    }
}

struct Rd<'a> {
    b: &'a [u8],
    i: usize,
    le: bool,
}

impl Rd<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let s = self.b.get(self.i..self.i + n).ok_or("WKB ends early")?;
        self.i += n;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, String> {
        let le = self.le;
        let s = self.take(4)?;
        let a = [s[0], s[1], s[2], s[3]];
        Ok(if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        })
    }
    fn f64(&mut self) -> Result<f64, String> {
        let le = self.le;
        let s = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Ok(if le {
            f64::from_le_bytes(a)
        } else {
            f64::from_be_bytes(a)
        })
    }
    /// A count, checked against the bytes left (each item needs at least `min` bytes).
    fn count(&mut self, min: usize) -> Result<usize, String> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min) > self.b.len().saturating_sub(self.i) {
            return Err(format!("WKB count {n} exceeds the data"));
        }
        Ok(n)
    }
}

/// Decode WKB (ISO or extended; Z and M dropped).
pub fn decode(b: &[u8]) -> Result<Geometry<f64>, String> {
    let mut r = Rd { b, i: 0, le: true };
    geom(&mut r, 0)
}

fn geom(r: &mut Rd, depth: usize) -> Result<Geometry<f64>, String> {
    if depth > 32 {
        return Err("WKB nested too deeply".into());
    }
    r.le = match r.take(1)?[0] {
        0 => false,
        1 => true,
        o => return Err(format!("WKB byte order {o}")),
    };
    let raw = r.u32()?;
    // EWKB flags (Z 0x80000000, M 0x40000000, SRID 0x20000000) or ISO thousands.
    let mut dims = 2;
    if raw & 0x8000_0000 != 0 {
        dims += 1;
    }
    if raw & 0x4000_0000 != 0 {
        dims += 1;
    }
    if raw & 0x2000_0000 != 0 {
        r.u32()?;
    }
    let t = raw & 0x0FFF_FFFF;
    let (t, iso) = (t % 1000, t / 1000);
    dims += match iso {
        0 => 0,
        1 | 2 => 1,
        3 => 2,
        _ => return Err(format!("WKB type {raw}")),
    };
    let coord = |r: &mut Rd| -> Result<Coord<f64>, String> {
        let x = r.f64()?;
        let y = r.f64()?;
        for _ in 2..dims {
            r.f64()?;
        }
        Ok(Coord { x, y })
    };
    let line = |r: &mut Rd| -> Result<LineString<f64>, String> {
        let n = r.count(16)?;
        (0..n)
            .map(|_| coord(r))
            .collect::<Result<Vec<_>, _>>()
            .map(LineString)
    };
    let poly = |r: &mut Rd| -> Result<Polygon<f64>, String> {
        let n = r.count(4)?;
        let mut rings = (0..n).map(|_| line(r)).collect::<Result<Vec<_>, _>>()?;
        if rings.is_empty() {
            return Ok(Polygon::new(LineString(vec![]), vec![]));
        }
        let ext = rings.remove(0);
        Ok(Polygon::new(ext, rings))
    };
    Ok(match t {
        1 => Geometry::Point(Point(coord(r)?)),
        2 => Geometry::LineString(line(r)?),
        3 => Geometry::Polygon(poly(r)?),
        4..=7 => {
            let n = r.count(5)?;
            let parts = (0..n)
                .map(|_| geom(r, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            match t {
                4 => Geometry::MultiPoint(MultiPoint(
                    parts
                        .into_iter()
                        .map(|g| match g {
                            Geometry::Point(p) => Ok(p),
                            _ => Err("multipoint member is not a point".to_string()),
                        })
                        .collect::<Result<_, _>>()?,
                )),
                5 => Geometry::MultiLineString(MultiLineString(
                    parts
                        .into_iter()
                        .map(|g| match g {
                            Geometry::LineString(l) => Ok(l),
                            _ => Err("multilinestring member is not a linestring".to_string()),
                        })
                        .collect::<Result<_, _>>()?,
                )),
                6 => Geometry::MultiPolygon(MultiPolygon(
                    parts
                        .into_iter()
                        .map(|g| match g {
                            Geometry::Polygon(p) => Ok(p),
                            _ => Err("multipolygon member is not a polygon".to_string()),
                        })
                        .collect::<Result<_, _>>()?,
                )),
                _ => Geometry::GeometryCollection(GeometryCollection(parts)),
            }
        }
        other => return Err(format!("WKB geometry type {other} not supported")),
    })
}

/// A GeoPackage geometry blob: header with the xy envelope, then WKB.
pub fn gpkg_blob(g: &Geometry<f64>, srs_id: i32, bbox: [f64; 4], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(b"GP");
    out.push(0);
    out.push(0b0000_0011); // little-endian header, envelope [minx, maxx, miny, maxy]
    out.extend_from_slice(&srs_id.to_le_bytes());
    for v in [bbox[0], bbox[2], bbox[1], bbox[3]] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    encode(g, out);
}

/// Decode a GeoPackage geometry blob; `Ok(None)` for an empty geometry.
pub fn parse_gpkg_blob(b: &[u8]) -> Result<Option<Geometry<f64>>, String> {
    if b.len() < 8 || &b[0..2] != b"GP" {
        return Err("not a GeoPackage geometry (no 'GP' magic)".into());
    }
    let flags = b[3];
    if flags & 0b0010_0000 != 0 {
        return Err("extended GeoPackage geometry types are not supported".into());
    }
    let env = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        e => return Err(format!("GeoPackage envelope code {e}")),
    };
    let start = 8 + env;
    if b.len() < start {
        return Err("GeoPackage geometry header runs past the blob".into());
    }
    if flags & 0b0001_0000 != 0 {
        return Ok(None);
    }
    decode(&b[start..]).map(Some)
}
