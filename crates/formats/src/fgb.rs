//! FlatGeobuf, through the `flatgeobuf` crate: streaming read and write, feature order kept.

use crate::error::{FormatError, Result};
use crate::model::{Feature, Field, FieldType, GeometryType, LayerInfo, Value};
use crate::{AtomicFile, FeatureReader, FeatureWriter};
use flatgeobuf::{
    ColumnType, FallibleStreamingIterator, FeatureIter, FgbCrs, FgbReader, FgbWriter,
    FgbWriterOptions, GeozeroGeometry, NotSeekable,
};
use geozero::{ColumnValue, FeatureProperties, PropertyProcessor};
use onemap_geodesy::crs::Crs;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// A streaming FlatGeobuf reader.
pub struct FgbFileReader {
    iter: FeatureIter<BufReader<File>, NotSeekable>,
    info: LayerInfo,
    path: PathBuf,
    index: u64,
}

fn fgb_err(path: &Path, e: impl std::fmt::Display) -> FormatError {
    FormatError::invalid(path, format!("FlatGeobuf: {e}"))
}

struct Props<'a> {
    fields: &'a [Field],
    values: Vec<Value>,
}

impl PropertyProcessor for Props<'_> {
    fn property(&mut self, _i: usize, name: &str, v: &ColumnValue) -> geozero::error::Result<bool> {
        if let Some(k) = self.fields.iter().position(|f| f.name == name) {
            self.values[k] = match v {
                ColumnValue::Byte(x) => Value::Int(*x as i64),
                ColumnValue::UByte(x) => Value::Int(*x as i64),
                ColumnValue::Bool(x) => Value::Bool(*x),
                ColumnValue::Short(x) => Value::Int(*x as i64),
                ColumnValue::UShort(x) => Value::Int(*x as i64),
                ColumnValue::Int(x) => Value::Int(*x as i64),
                ColumnValue::UInt(x) => Value::Int(*x as i64),
                ColumnValue::Long(x) => Value::Int(*x),
                ColumnValue::ULong(x) => Value::Int(*x as i64),
                ColumnValue::Float(x) => Value::Float(*x as f64),
                ColumnValue::Double(x) => Value::Float(*x),
                ColumnValue::String(s) | ColumnValue::Json(s) => Value::Text(s.to_string()),
                ColumnValue::DateTime(s) => Value::Date(s.to_string()),
                ColumnValue::Binary(_) => Value::Null,
            };
        }
        Ok(false)
    }
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
        if let Some(cols) = h.columns() {
            for c in cols.iter() {
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
        let mut w = geozero::geo_types::GeoWriter::new();
        f.process_geom(&mut w).map_err(|e| {
            FormatError::feature(&path, index, None, format!("FlatGeobuf geometry: {e}"))
        })?;
        let mut props = Props {
            fields: &self.info.fields,
            values: vec![Value::Null; self.info.fields.len()],
        };
        f.process_properties(&mut props).map_err(|e| {
            FormatError::feature(&path, index, None, format!("FlatGeobuf properties: {e}"))
        })?;
        Ok(Some(Feature {
            fid: None,
            geometry: w.take_geometry(),
            values: props.values,
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
