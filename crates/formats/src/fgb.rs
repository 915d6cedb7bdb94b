//! FlatGeobuf, through the `flatgeobuf` crate: streaming read and write, feature order kept.

use crate::error::{FormatError, Result};
use crate::model::{Feature, Field, FieldType, GeometryType, LayerInfo, Value};
use crate::{AtomicFile, FeatureReader, FeatureWriter};
use flatgeobuf::{
    ColumnType, FallibleStreamingIterator, FeatureIter, FgbCrs, FgbReader, FgbWriter,
    FgbWriterOptions, NotSeekable,
};
use geo_types::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon,
};
use geozero::{ColumnValue, PropertyProcessor};
use onemap_geodesy::crs::Crs;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// A streaming FlatGeobuf reader.
pub struct FgbFileReader {
    iter: FeatureIter<BufReader<File>, NotSeekable>,
    info: LayerInfo,
    types: Vec<ColumnType>,
    geometry_type: flatgeobuf::GeometryType,
    path: PathBuf,
    index: u64,
}

fn fgb_err(path: &Path, e: impl std::fmt::Display) -> FormatError {
    FormatError::invalid(path, format!("FlatGeobuf: {e}"))
}

impl FgbFileReader {
    /// Open `path`.
    pub fn open(path: &Path) -> Result<FgbFileReader> {
        let f = File::open(path).map_err(|e| FormatError::io(path, e))?;
        let r =
            FgbReader::open(BufReader::with_capacity(1 << 20, f)).map_err(|e| fgb_err(path, e))?;
        let h = r.header();
        let crs = match h.crs() {
            Some(c) if c.code() > 0 && c.org().is_none_or(|o| o.eq_ignore_ascii_case("EPSG")) => {
                Some(
                    Crs::from_epsg(c.code() as u32).map_err(|source| FormatError::Crs {
                        path: path.into(),
                        source,
                    })?,
                )
            }
            Some(c) => match c.wkt() {
                Some(w) => Some(Crs::from_wkt(w).map_err(|source| FormatError::Crs {
                    path: path.into(),
                    source,
                })?),
                None => None,
            },
            None => None,
        };
        let mut fields = Vec::new();
        let mut types = Vec::new();
        if let Some(cols) = h.columns() {
            for c in cols.iter() {
                types.push(c.type_());
                let ty = match c.type_() {
                    ColumnType::Bool => FieldType::Bool,
                    ColumnType::Byte
                    | ColumnType::UByte
                    | ColumnType::Short
                    | ColumnType::UShort
                    | ColumnType::Int
                    | ColumnType::UInt
                    | ColumnType::Long
                    | ColumnType::ULong => FieldType::Int,
                    ColumnType::Float | ColumnType::Double => FieldType::Float,
                    ColumnType::DateTime => FieldType::Date,
                    _ => FieldType::Text,
                };
                fields.push(Field {
                    name: c.name().to_string(),
                    ty,
                    width: c.width().max(0) as u16,
                    decimals: c.scale().max(0) as u8,
                });
            }
        }
        use flatgeobuf::GeometryType as G;
        let geometry_type = match h.geometry_type() {
            G::Point | G::MultiPoint => GeometryType::Point,
            G::LineString | G::MultiLineString => GeometryType::Line,
            G::Polygon | G::MultiPolygon => GeometryType::Polygon,
            _ => GeometryType::Any,
        };
        let count = h.features_count();
        let header_type = h.geometry_type();
        let info = LayerInfo {
            name: h
                .name()
                .map_or_else(|| crate::layer_name(path), str::to_string),
            crs,
            fields,
            geometry_type,
            feature_count: (count > 0).then_some(count),
        };
        let iter = r.select_all_seq().map_err(|e| fgb_err(path, e))?;
        Ok(FgbFileReader {
            iter,
            info,
            types,
            geometry_type: header_type,
            path: path.to_path_buf(),
            index: 0,
        })
    }
}

impl FeatureReader for FgbFileReader {
    fn info(&self) -> &LayerInfo {
        &self.info
    }

    fn set_crs(&mut self, crs: Crs) {
        self.info.crs = Some(crs);
    }

    fn read_feature(&mut self) -> Result<Option<Feature>> {
        let index = self.index;
        let path = self.path.clone();
        let Some(f) = self
            .iter
            .next()
            .map_err(|e| FormatError::feature(&path, index, None, format!("FlatGeobuf: {e}")))?
        else {
            return Ok(None);
        };
        self.index += 1;
        let fb = f.fbs_feature();
        let geometry = match fb.geometry() {
            Some(g) => decode_geometry(g, self.geometry_type, 0).map_err(|m| {
                FormatError::feature(&path, index, None, format!("FlatGeobuf geometry: {m}"))
            })?,
            None => None,
        };
        let values = match fb.properties() {
            Some(p) => {
                decode_properties(p.bytes(), &self.types, self.info.fields.len()).map_err(|m| {
                    FormatError::feature(&path, index, None, format!("FlatGeobuf properties: {m}"))
                })?
            }
            None => vec![Value::Null; self.info.fields.len()],
        };
        Ok(Some(Feature {
            fid: None,
            geometry,
            values,
        }))
    }
}

/// A FlatGeobuf writer (features are buffered by the crate and written on finish).
pub struct FgbFileWriter {
    fgb: Option<FgbWriter<'static>>,
    fields: Vec<Field>,
    path: PathBuf,
    index: u64,
}

impl FgbFileWriter {
    /// Create `path`.
    pub fn create(path: &Path, info: &LayerInfo) -> Result<FgbFileWriter> {
        use flatgeobuf::GeometryType as G;
        let gt = match info.geometry_type {
            GeometryType::Polygon => G::MultiPolygon,
            GeometryType::Line => G::MultiLineString,
            GeometryType::Point => G::Point,
            GeometryType::Any => G::Unknown,
        };
        let name: &'static str = Box::leak(info.name.clone().into_boxed_str());
        // Without the packed R-tree: building it Hilbert-sorts the features, and feature order
        // (parcel order, BSM order) must survive a conversion.
        let opts = FgbWriterOptions {
            write_index: false,
            promote_to_multi: true,
            crs: FgbCrs {
                code: info.crs.map_or(0, |c| c.epsg() as i32),
                ..Default::default()
            },
            ..Default::default()
        };
        let mut fgb =
            FgbWriter::create_with_options(name, gt, opts).map_err(|e| fgb_err(path, e))?;
        for f in &info.fields {
            let ty = match f.ty {
                FieldType::Int => ColumnType::Long,
                FieldType::Float => ColumnType::Double,
                FieldType::Text => ColumnType::String,
                FieldType::Bool => ColumnType::Bool,
                FieldType::Date => ColumnType::DateTime,
            };
            fgb.add_column(&f.name, ty, |_, c| c.nullable = true);
        }
        Ok(FgbFileWriter {
            fgb: Some(fgb),
            fields: info.fields.clone(),
            path: path.to_path_buf(),
            index: 0,
        })
    }
}

impl FeatureWriter for FgbFileWriter {
    fn write_feature(&mut self, f: &Feature) -> Result<()> {
        let index = self.index;
        self.index += 1;
        let Some(fgb) = &mut self.fgb else {
            return Ok(());
        };
        let Some(g) = &f.geometry else {
            return Err(FormatError::feature(
                &self.path,
                index,
                None,
                "FlatGeobuf features need a geometry",
            ));
        };
        let fields = &self.fields;
        let mut err = None;
        fgb.add_feature_geom(g.clone(), |w| {
            for (i, (fd, v)) in fields.iter().zip(&f.values).enumerate() {
                let cv = match v {
                    Value::Null => continue,
                    Value::Int(x) if fd.ty == FieldType::Float => ColumnValue::Double(*x as f64),
                    Value::Int(x) => ColumnValue::Long(*x),
                    Value::Float(x) => ColumnValue::Double(*x),
                    Value::Bool(b) => ColumnValue::Bool(*b),
                    Value::Text(s) => ColumnValue::String(s),
                    Value::Date(s) => ColumnValue::DateTime(s),
                };
                if let Err(e) = w.property(i, &fd.name, &cv) {
                    err = Some(e.to_string());
                }
            }
        })
        .map_err(|e| FormatError::feature(&self.path, index, None, format!("FlatGeobuf: {e}")))?;
        match err {
            Some(e) => Err(FormatError::feature(
                &self.path,
                index,
                None,
                format!("FlatGeobuf property: {e}"),
            )),
            None => Ok(()),
        }
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        let Some(fgb) = self.fgb.take() else {
            return Ok(());
        };
        let mut out = AtomicFile::create(&self.path)?;
        let path = self.path.clone();
        let w = out
            .writer()
            .ok_or_else(|| fgb_err(&path, "output closed"))?;
        fgb.write(w).map_err(|e| fgb_err(&path, e))?;
        out.commit()
    }
}

/// A bounds-checked little-endian cursor.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        let s = self
            .b
            .get(self.i..self.i.saturating_add(n))
            .ok_or("property data ends early")?;
        self.i += n;
        Ok(s)
    }
    fn bytes<const N: usize>(&mut self) -> std::result::Result<[u8; N], String> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
}

/// Decode a feature's properties with every length checked (the crate's own decoder slices
/// without checks and panics on a damaged file).
fn decode_properties(
    bytes: &[u8],
    types: &[ColumnType],
    n_fields: usize,
) -> std::result::Result<Vec<Value>, String> {
    let mut out = vec![Value::Null; n_fields];
    let mut c = Cursor { b: bytes, i: 0 };
    // A trailing single byte occurs in files written by some tools (the crate notes it too).
    while c.i + 1 < bytes.len() {
        let col = u16::from_le_bytes(c.bytes()?) as usize;
        let ty = *types
            .get(col)
            .ok_or_else(|| format!("property of column {col}, the header has {}", types.len()))?;
        let v = match ty {
            ColumnType::Byte => Value::Int(i8::from_le_bytes(c.bytes()?) as i64),
            ColumnType::UByte => Value::Int(u8::from_le_bytes(c.bytes()?) as i64),
            ColumnType::Bool => Value::Bool(c.bytes::<1>()?[0] != 0),
            ColumnType::Short => Value::Int(i16::from_le_bytes(c.bytes()?) as i64),
            ColumnType::UShort => Value::Int(u16::from_le_bytes(c.bytes()?) as i64),
            ColumnType::Int => Value::Int(i32::from_le_bytes(c.bytes()?) as i64),
            ColumnType::UInt => Value::Int(u32::from_le_bytes(c.bytes()?) as i64),
            ColumnType::Long => Value::Int(i64::from_le_bytes(c.bytes()?)),
            ColumnType::ULong => Value::Int(u64::from_le_bytes(c.bytes()?) as i64),
            ColumnType::Float => Value::Float(f32::from_le_bytes(c.bytes()?) as f64),
            ColumnType::Double => Value::Float(f64::from_le_bytes(c.bytes()?)),
            _ => {
                let n = u32::from_le_bytes(c.bytes()?) as usize;
                let raw = c.take(n)?;
                if ty == ColumnType::Binary {
                    Value::Null
                } else {
                    let t = std::str::from_utf8(raw)
                        .map_err(|_| format!("column {col}: text is not UTF-8"))?
                        .to_string();
                    if ty == ColumnType::DateTime {
                        Value::Date(t)
                    } else {
                        Value::Text(t)
                    }
                }
            }
        };
        if let Some(slot) = out.get_mut(col) {
            *slot = v;
        }
    }
    Ok(out)
}

/// Decode a FlatGeobuf geometry with every index checked.
fn decode_geometry(
    g: flatgeobuf::Geometry,
    ty: flatgeobuf::GeometryType,
    depth: usize,
) -> std::result::Result<Option<Geometry<f64>>, String> {
    use flatgeobuf::GeometryType as G;
    if depth > 8 {
        return Err("geometry nested too deeply".into());
    }
    let ty = if g.type_() == G::Unknown {
        ty
    } else {
        g.type_()
    };
    let xy: Vec<f64> = g.xy().map(|v| v.iter().collect()).unwrap_or_default();
    if xy.len() % 2 == 1 {
        return Err("odd number of ordinates".into());
    }
    let pts: Vec<Coord<f64>> = xy.chunks(2).map(|c| Coord { x: c[0], y: c[1] }).collect();
    let ends: Vec<usize> = g
        .ends()
        .map(|v| v.iter().map(|e| e as usize).collect())
        .unwrap_or_else(|| vec![pts.len()]);
    let lines = || -> std::result::Result<Vec<LineString<f64>>, String> {
        let mut start = 0;
        let mut out = Vec::with_capacity(ends.len());
        for &e in &ends {
            if e < start || e > pts.len() {
                return Err(format!("ring end {e} outside {start}..{}", pts.len()));
            }
            out.push(LineString(pts[start..e].to_vec()));
            start = e;
        }
        Ok(out)
    };
    let polygon = |mut rings: Vec<LineString<f64>>| {
        if rings.is_empty() {
            return None;
        }
        let ext = rings.remove(0);
        Some(Polygon::new(ext, rings))
    };
    let parts = |t: G| -> std::result::Result<Vec<Geometry<f64>>, String> {
        let mut out = Vec::new();
        if let Some(ps) = g.parts() {
            for p in ps.iter() {
                out.extend(decode_geometry(p, t, depth + 1)?);
            }
        }
        Ok(out)
    };
    Ok(match ty {
        G::Point => pts.first().map(|c| Geometry::Point(Point(*c))),
        G::MultiPoint => Some(Geometry::MultiPoint(MultiPoint(
            pts.into_iter().map(Point).collect(),
        ))),
        G::LineString => Some(Geometry::LineString(LineString(pts))),
        G::MultiLineString => Some(Geometry::MultiLineString(MultiLineString(lines()?))),
        G::Polygon => polygon(lines()?).map(Geometry::Polygon),
        G::MultiPolygon => {
            let mut polys: Vec<Polygon<f64>> = parts(G::Polygon)?
                .into_iter()
                .filter_map(|p| match p {
                    Geometry::Polygon(p) => Some(p),
                    _ => None,
                })
                .collect();
            if polys.is_empty() && !pts.is_empty() {
                polys.extend(polygon(lines()?));
            }
            Some(Geometry::MultiPolygon(MultiPolygon(polys)))
        }
        G::GeometryCollection => Some(Geometry::GeometryCollection(GeometryCollection(parts(
            G::Unknown,
        )?))),
        other => return Err(format!("geometry type {other:?} is not supported")),
    })
}
