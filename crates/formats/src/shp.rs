//! ESRI Shapefile: `.shp` geometry, `.shx` index, `.dbf` attributes, `.prj` CRS, `.cpg`
//! encoding. Streaming in both directions; every length and count in the file is checked
//! before it is used, so a damaged file gives an error naming the record, never a panic.

use crate::dbf::{DbfReader, DbfWriter, EncodingSource};
use crate::error::{FormatError, Result};
use crate::model::{Feature, GeometryType, LayerInfo};
use crate::{AtomicFile, FeatureReader, FeatureWriter, TextEncoding};
use geo_types::{
    Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon,
};
use onemap_geodesy::crs::Crs;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The sibling file of a shapefile with this extension, in either case.
fn sibling(path: &Path, ext: &str) -> Option<PathBuf> {
    [ext.to_ascii_lowercase(), ext.to_ascii_uppercase()]
        .into_iter()
        .map(|e| path.with_extension(e))
        .find(|p| p.exists())
}

/// A streaming shapefile reader.
pub struct ShapefileReader {
    shp: BufReader<File>,
    path: PathBuf,
    end: u64,
    pos: u64,
    dbf: Option<DbfReader>,
    info: LayerInfo,
    index: u64,
    buf: Vec<u8>,
}

fn be32(b: &[u8]) -> i32 {
    i32::from_be_bytes([b[0], b[1], b[2], b[3]])
}
fn le32(b: &[u8]) -> i32 {
    i32::from_le_bytes([b[0], b[1], b[2], b[3]])
}
fn lef64(b: &[u8]) -> f64 {
    f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// The layer geometry type of a shape type code.
fn layer_type(code: i32) -> Option<GeometryType> {
    Some(match code {
        0 => GeometryType::Any,
        1 | 11 | 21 | 8 | 18 | 28 => GeometryType::Point,
        3 | 13 | 23 => GeometryType::Line,
        5 | 15 | 25 => GeometryType::Polygon,
        _ => return None,
    })
}

impl ShapefileReader {
    /// Open `path` (.shp) with its .dbf, .prj and .cpg; `encoding` overrides the .cpg.
    pub fn open(path: &Path, encoding: Option<TextEncoding>) -> Result<ShapefileReader> {
        let f = File::open(path).map_err(|e| FormatError::io(path, e))?;
        let len = f.metadata().map_err(|e| FormatError::io(path, e))?.len();
        let mut shp = BufReader::with_capacity(1 << 20, f);
        let mut h = [0u8; 100];
        shp.read_exact(&mut h).map_err(|_| {
            FormatError::invalid(path, "not a shapefile: shorter than its 100-byte header")
        })?;
        if be32(&h[0..4]) != 9994 {
            return Err(FormatError::invalid(
                path,
                "not a shapefile: file code is not 9994",
            ));
        }
        let declared = be32(&h[24..28]).max(0) as u64 * 2;
        let shape_type = le32(&h[32..36]);
        let geometry_type = layer_type(shape_type).ok_or_else(|| FormatError::Unsupported {
            path: path.into(),
            message: format!("shape type {shape_type} (MultiPatch or unknown) is not supported"),
        })?;
        let crs = match sibling(path, "prj") {
            Some(p) => {
                let text = std::fs::read(&p).map_err(|e| FormatError::io(&p, e))?;
                let text = String::from_utf8_lossy(&text);
                Some(Crs::from_wkt(&text).map_err(|source| FormatError::Crs {
                    path: p.clone(),
                    source,
                })?)
            }
            None => None,
        };
        let enc = match encoding {
            Some(e) => Some((e, EncodingSource::Option)),
            None => match sibling(path, "cpg") {
                Some(p) => {
                    let t = std::fs::read_to_string(&p).map_err(|e| FormatError::io(&p, e))?;
                    let e = TextEncoding::parse(&t).ok_or_else(|| {
                        FormatError::invalid(&p, format!("encoding {:?} is not supported (UTF-8 or GBK); override it with --encoding", t.trim()))
                    })?;
                    Some((e, EncodingSource::Cpg))
                }
                None => None,
            },
        };
        let dbf = match sibling(path, "dbf") {
            Some(p) => Some(DbfReader::open(&p, enc)?),
            None => None,
        };
        let info = LayerInfo {
            name: crate::layer_name(path),
            crs,
            fields: dbf
                .as_ref()
                .map(|d| d.columns.iter().map(|c| c.field.clone()).collect())
                .unwrap_or_default(),
            geometry_type,
            feature_count: dbf.as_ref().map(|d| d.n_records),
        };
        Ok(ShapefileReader {
            shp,
            path: path.to_path_buf(),
            end: declared.min(len),
            pos: 100,
            dbf,
            info,
            index: 0,
            buf: Vec::new(),
        })
    }
}

impl FeatureReader for ShapefileReader {
    fn info(&self) -> &LayerInfo {
        &self.info
    }

    fn set_crs(&mut self, crs: Crs) {
        self.info.crs = Some(crs);
    }

    fn text_encoding(&self) -> Option<TextEncoding> {
        self.dbf.as_ref().map(|d| d.encoding().0)
    }

    fn read_feature(&mut self) -> Result<Option<Feature>> {
        loop {
            if self.pos + 8 > self.end {
                if let Some(d) = &mut self.dbf {
                    if let Some(Some(_)) = d.read_record()? {
                        return Err(FormatError::invalid(
                            &self.path,
                            format!(
                                "the .dbf has more records than the .shp ({} shapes)",
                                self.index
                            ),
                        ));
                    }
                }
                return Ok(None);
            }
            let index = self.index;
            self.index += 1;
            let mut rh = [0u8; 8];
            self.shp
                .read_exact(&mut rh)
                .map_err(|e| FormatError::io(&self.path, e))?;
            let len = be32(&rh[4..8]);
            if len < 2 || self.pos + 8 + len as u64 * 2 > self.end {
                return Err(FormatError::feature(
                    &self.path,
                    index,
                    None,
                    format!("record content length {len} words runs past the end of the file"),
                ));
            }
            self.pos += 8 + len as u64 * 2;
            self.buf.resize(len as usize * 2, 0);
            self.shp
                .read_exact(&mut self.buf)
                .map_err(|e| FormatError::io(&self.path, e))?;
            let geometry = parse_shape(&self.buf)
                .map_err(|m| FormatError::feature(&self.path, index, None, m))?;
            let values = match &mut self.dbf {
                Some(d) => match d.read_record()? {
                    Some(Some(v)) => v,
                    Some(None) => continue, // deleted record
                    None => {
                        return Err(FormatError::feature(
                            &self.path,
                            index,
                            None,
                            "the .dbf has fewer records than the .shp",
                        ))
                    }
                },
                None => Vec::new(),
            };
            return Ok(Some(Feature {
                fid: None,
                geometry,
                values,
            }));
        }
    }
}

/// Parse one record's content (shape type and geometry).
pub fn parse_shape(b: &[u8]) -> std::result::Result<Option<Geometry<f64>>, String> {
    if b.len() < 4 {
        return Err("record shorter than its shape type".into());
    }
    let t = le32(&b[0..4]);
    let pt = |off: usize| -> std::result::Result<Coord<f64>, String> {
        if off + 16 > b.len() {
            return Err("point runs past the record".into());
        }
        Ok(Coord {
            x: lef64(&b[off..]),
            y: lef64(&b[off + 8..]),
        })
    };
    match t {
        0 => Ok(None),
        1 | 11 | 21 => Ok(Some(Geometry::Point(Point(pt(4)?)))),
        8 | 18 | 28 => {
            if b.len() < 40 {
                return Err("multipoint record too short".into());
            }
            let n = le32(&b[36..40]);
            if n < 0 || 40 + n as usize * 16 > b.len() {
                return Err(format!(
                    "multipoint with {n} points does not fit its record"
                ));
            }
            let pts = (0..n as usize)
                .map(|i| pt(40 + 16 * i).map(Point))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            Ok(Some(Geometry::MultiPoint(MultiPoint(pts))))
        }
        3 | 13 | 23 | 5 | 15 | 25 => {
            if b.len() < 44 {
                return Err("record too short for its part and point counts".into());
            }
            let np = le32(&b[36..40]);
            let n = le32(&b[40..44]);
            if np < 0 || n < 0 || 44 + np as usize * 4 + n as usize * 16 > b.len() {
                return Err(format!("{np} parts and {n} points do not fit the record"));
            }
            let (np, n) = (np as usize, n as usize);
            let mut starts = Vec::with_capacity(np);
            for i in 0..np {
                let s = le32(&b[44 + 4 * i..]);
                let prev = starts.last().copied().unwrap_or(0);
                if s < 0 || s as usize > n || (i == 0 && s != 0) || (s as usize) < prev {
                    return Err(format!(
                        "part {i} starts at point {s}, outside 0..{n} or out of order"
                    ));
                }
                starts.push(s as usize);
            }
            let base = 44 + 4 * np;
            let mut parts = Vec::with_capacity(np);
            for i in 0..np {
                let (s, e) = (starts[i], starts.get(i + 1).copied().unwrap_or(n));
                let coords = (s..e)
                    .map(|k| pt(base + 16 * k))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                parts.push(LineString(coords));
            }
            if t == 3 || t == 13 || t == 23 {
                return Ok(Some(if parts.len() == 1 {
                    Geometry::LineString(parts.remove(0))
                } else {
                    Geometry::MultiLineString(MultiLineString(parts))
                }));
            }
            Ok(Some(assemble_polygons(parts)))
        }
        other => Err(format!("unsupported shape type {other}")),
    }
}

/// Twice the signed area of a ring (positive = counter-clockwise).
pub(crate) fn signed_area2(r: &LineString<f64>) -> f64 {
    let c = &r.0;
    if c.len() < 3 {
        return 0.0;
    }
    let o = c[0];
    (0..c.len())
        .map(|i| {
            let a = c[i] - o;
            let b = c[(i + 1) % c.len()] - o;
            a.x * b.y - b.x * a.y
        })
        .sum()
}

fn point_in_ring(p: Coord<f64>, r: &LineString<f64>) -> bool {
    let c = &r.0;
    let mut inside = false;
    let n = c.len();
    for i in 0..n {
        let (a, b) = (c[i], c[(i + 1) % n]);
        if (a.y > p.y) != (b.y > p.y) && p.x < a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y) {
            inside = !inside;
        }
    }
    inside
}

/// Shapefile rings → polygons: clockwise rings are outer rings, counter-clockwise rings holes of
/// the outer ring that contains them (a hole outside every outer ring becomes an outer ring).
fn assemble_polygons(rings: Vec<LineString<f64>>) -> Geometry<f64> {
    let mut outers: Vec<(LineString<f64>, Vec<LineString<f64>>)> = Vec::new();
    let mut holes = Vec::new();
    for mut r in rings {
        if r.0.len() > 1 && r.0.first() != r.0.last() {
            let f = r.0[0];
            r.0.push(f);
        }
        if signed_area2(&r) <= 0.0 {
            outers.push((r, Vec::new()));
        } else {
            holes.push(r);
        }
    }
    for h in holes {
        let probe = h.0.first().copied();
        let owner = probe.and_then(|p| outers.iter().position(|(o, _)| point_in_ring(p, o)));
        match owner {
            Some(i) => outers[i].1.push(h),
            None => outers.push((h, Vec::new())),
        }
    }
    let mut polys: Vec<Polygon<f64>> = outers
        .into_iter()
        .map(|(o, hs)| Polygon::new(o, hs))
        .collect();
    if polys.len() == 1 {
        Geometry::Polygon(polys.remove(0))
    } else {
        Geometry::MultiPolygon(MultiPolygon(polys))
    }
}

/// A streaming shapefile writer (.shp, .shx, .dbf, .prj, .cpg), atomic.
pub struct ShapefileWriter {
    shp: AtomicFile,
    shx: AtomicFile,
    dbf: DbfWriter,
    prj: Option<(AtomicFile, String)>,
    cpg: (AtomicFile, TextEncoding),
    shape_type: Option<i32>,
    layer_type: GeometryType,
    bbox: [f64; 4],
    offset_words: u64,
    index: u64,
    rec: Vec<u8>,
}

fn header(shape_type: i32, len_words: u64, bbox: [f64; 4]) -> Vec<u8> {
    let mut h = vec![0u8; 100];
    h[0..4].copy_from_slice(&9994i32.to_be_bytes());
    h[24..28].copy_from_slice(&(len_words as i32).to_be_bytes());
    h[28..32].copy_from_slice(&1000i32.to_le_bytes());
    h[32..36].copy_from_slice(&shape_type.to_le_bytes());
    let b = if bbox[0].is_finite() { bbox } else { [0.0; 4] };
    for (i, v) in b.iter().enumerate() {
        h[36 + 8 * i..44 + 8 * i].copy_from_slice(&v.to_le_bytes());
    }
    h
}

impl ShapefileWriter {
    /// Create `path` (.shp) and its siblings.
    pub fn create(
        path: &Path,
        info: &LayerInfo,
        encoding: TextEncoding,
        date: &str,
    ) -> Result<ShapefileWriter> {
        let mut shp = AtomicFile::create(path)?;
        let mut shx = AtomicFile::create(&path.with_extension("shx"))?;
        shp.write_all(&[0u8; 100])?;
        shx.write_all(&[0u8; 100])?;
        let prj = match &info.crs {
            Some(c) => Some((
                AtomicFile::create(&path.with_extension("prj"))?,
                c.to_esri_wkt(),
            )),
            None => None,
        };
        Ok(ShapefileWriter {
            shp,
            shx,
            dbf: DbfWriter::create(&path.with_extension("dbf"), &info.fields, encoding, date)?,
            prj,
            cpg: (AtomicFile::create(&path.with_extension("cpg"))?, encoding),
            shape_type: match info.geometry_type {
                GeometryType::Polygon => Some(5),
                GeometryType::Line => Some(3),
                GeometryType::Point => Some(1),
                GeometryType::Any => None,
            },
            layer_type: info.geometry_type,
            bbox: [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ],
            offset_words: 50,
            index: 0,
            rec: Vec::new(),
        })
    }

    fn grow(&mut self, c: Coord<f64>) {
        self.bbox[0] = self.bbox[0].min(c.x);
        self.bbox[1] = self.bbox[1].min(c.y);
        self.bbox[2] = self.bbox[2].max(c.x);
        self.bbox[3] = self.bbox[3].max(c.y);
    }
}

fn put_f64(v: &mut Vec<u8>, x: f64) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn put_i32(v: &mut Vec<u8>, x: i32) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// Encode parts (rings or lines) as a PolyLine/Polygon record body.
fn encode_parts(rec: &mut Vec<u8>, t: i32, parts: &[Vec<Coord<f64>>]) {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for c in parts.iter().flatten() {
        b = [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)];
    }
    put_i32(rec, t);
    for v in b {
        put_f64(rec, v);
    }
    put_i32(rec, parts.len() as i32);
    put_i32(rec, parts.iter().map(Vec::len).sum::<usize>() as i32);
    let mut start = 0;
    for p in parts {
        put_i32(rec, start as i32);
        start += p.len();
    }
    for c in parts.iter().flatten() {
        put_f64(rec, c.x);
        put_f64(rec, c.y);
    }
}

/// A ring closed and oriented: clockwise for outer rings, counter-clockwise for holes.
fn oriented(r: &LineString<f64>, clockwise: bool) -> Vec<Coord<f64>> {
    let mut c = r.0.clone();
    if c.len() > 1 && c.first() != c.last() {
        c.push(c[0]);
    }
    let ccw = signed_area2(&LineString(c.clone())) > 0.0;
    if ccw == clockwise {
        c.reverse();
    }
    c
}

impl FeatureWriter for ShapefileWriter {
    fn write_feature(&mut self, f: &Feature) -> Result<()> {
        let index = self.index;
        self.index += 1;
        let path = self.shp.path().to_path_buf();
        let mismatch = |want: &str| {
            FormatError::feature(
                &path,
                index,
                None,
                format!("a shapefile holds one geometry type; this layer is {want}"),
            )
        };
        let mut rec = std::mem::take(&mut self.rec);
        rec.clear();
        match &f.geometry {
            None => put_i32(&mut rec, 0),
            Some(g) => {
                let lt = GeometryType::of(g);
                if self.shape_type.is_none() {
                    self.layer_type = lt;
                    self.shape_type = Some(match lt {
                        GeometryType::Polygon => 5,
                        GeometryType::Line => 3,
                        _ => 1,
                    });
                }
                if lt != self.layer_type {
                    return Err(mismatch(&format!("{:?}", self.layer_type)));
                }
                match g {
                    Geometry::Point(p) => {
                        put_i32(&mut rec, 1);
                        put_f64(&mut rec, p.x());
                        put_f64(&mut rec, p.y());
                    }
                    Geometry::MultiPoint(mp) if mp.0.len() == 1 => {
                        put_i32(&mut rec, 1);
                        put_f64(&mut rec, mp.0[0].x());
                        put_f64(&mut rec, mp.0[0].y());
                    }
                    Geometry::MultiPoint(_) => {
                        return Err(FormatError::feature(
                            &path,
                            index,
                            None,
                            "multipoints are not written to shapefiles; split them first",
                        ))
                    }
                    Geometry::LineString(l) => {
                        encode_parts(&mut rec, 3, std::slice::from_ref(&l.0))
                    }
                    Geometry::MultiLineString(ml) => encode_parts(
                        &mut rec,
                        3,
                        &ml.0.iter().map(|l| l.0.clone()).collect::<Vec<_>>(),
                    ),
                    Geometry::Polygon(_) | Geometry::MultiPolygon(_) => {
                        let parts: Vec<Vec<Coord<f64>>> = crate::model::polygon_rings(g)
                            .into_iter()
                            .map(|(r, hole)| oriented(r, !hole))
                            .collect();
                        encode_parts(&mut rec, 5, &parts);
                    }
                    _ => return Err(mismatch("polygon, line or point")),
                }
                crate::model::for_each_coord(g, &mut |c| self.grow(c));
            }
        }
        if rec.len() % 2 == 1 {
            rec.push(0);
        }
        let words = rec.len() as u64 / 2;
        if self.offset_words + 4 + words > i32::MAX as u64 {
            return Err(FormatError::invalid(
                &path,
                "the .shp would exceed the format's 4 GB limit; write a GeoPackage instead",
            ));
        }
        let mut rh = Vec::with_capacity(8);
        rh.extend_from_slice(&((index + 1) as i32).to_be_bytes());
        rh.extend_from_slice(&(words as i32).to_be_bytes());
        self.shp.write_all(&rh)?;
        self.shp.write_all(&rec)?;
        let mut xr = Vec::with_capacity(8);
        xr.extend_from_slice(&(self.offset_words as i32).to_be_bytes());
        xr.extend_from_slice(&(words as i32).to_be_bytes());
        self.shx.write_all(&xr)?;
        self.offset_words += 4 + words;
        self.rec = rec;
        self.dbf.write_record(&f.values)
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        let t = self.shape_type.unwrap_or(0);
        let shp_words = self.offset_words;
        let shx_words = 50 + 4 * self.index;
        for (file, words) in [(&mut self.shp, shp_words), (&mut self.shx, shx_words)] {
            let path = file.path().to_path_buf();
            let h = header(t, words, self.bbox);
            if let Some(w) = file.writer() {
                w.seek(SeekFrom::Start(0))
                    .and_then(|_| w.write_all(&h))
                    .map_err(|e| FormatError::io(&path, e))?;
            }
        }
        self.dbf.finish()?;
        if let Some((mut f, wkt)) = self.prj {
            f.write_all(wkt.as_bytes())?;
            f.commit()?;
        }
        let (mut cpg, enc) = self.cpg;
        cpg.write_all(enc.name().as_bytes())?;
        cpg.commit()?;
        self.shx.commit()?;
        self.shp.commit()
    }
}
