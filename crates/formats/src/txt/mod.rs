//! The 报部 coordinate TXT format (建设用地勘测定界 coordinate exchange file, standards §6).

mod read;
mod write;

pub use read::parse;
pub use write::TxtWriter;

use crate::error::{Diagnostic, FormatError, Result};
use crate::model::{Feature, Field, FieldType, GeometryType, LayerInfo, Value};
use crate::FeatureReader;
use geo_types::{LineString, MultiPolygon, Polygon};
use onemap_geodesy::crs::{Crs, GaussKruger};
use std::path::Path;

/// 图形属性 of a parcel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// 面: a polygon parcel.
    Polygon,
    /// 线: a line, skipped.
    Line,
    /// 点: a point, skipped.
    Point,
}

impl Shape {
    /// 面, 线 or 点.
    pub fn chinese(self) -> &'static str {
        match self {
            Shape::Polygon => "面",
            Shape::Line => "线",
            Shape::Point => "点",
        }
    }
}

/// One boundary point (界址点) as written.
#[derive(Clone, Debug, PartialEq)]
pub struct PointRec {
    /// 点号, not interpreted.
    pub name: String,
    /// X坐标, northing, m.
    pub x: f64,
    /// Y坐标, easting, m, as written (with the zone prefix if the file has one).
    pub y: f64,
    /// Line number.
    pub line: usize,
    /// X as an integer in the file's smallest decimal unit.
    pub xi: i128,
    /// Y as an integer in the file's smallest decimal unit.
    pub yi: i128,
}

/// One ring (圈) of a parcel.
#[derive(Clone, Debug, PartialEq)]
pub struct Ring {
    /// 圈号.
    pub number: u64,
    /// Its points, closing point included.
    pub points: Vec<PointRec>,
    /// Containment depth: even = outer ring of a part, odd = hole.
    pub depth: usize,
    /// For a hole, the index of the ring it is a hole in.
    pub parent: Option<usize>,
    /// Whether this run of points resumed a 圈号 seen before (E-RING-ORDER).
    pub out_of_order: bool,
}

/// One parcel (地块).
#[derive(Clone, Debug, PartialEq)]
pub struct Parcel {
    /// 地块编号, or the 1-based position when empty.
    pub id: String,
    /// 地块名称.
    pub name: String,
    /// 图形属性.
    pub shape: Shape,
    /// 图幅号.
    pub sheet: String,
    /// 地块用途.
    pub land_use: String,
    /// 地类编码.
    pub class_code: String,
    /// 界址点数 as declared.
    pub declared_count: Option<u64>,
    /// 地块面积 as declared, 公顷, as written.
    pub declared_area_ha: Option<String>,
    /// Line of the parcel header.
    pub header_line: usize,
    /// Rings.
    pub rings: Vec<Ring>,
    /// `sandiao` area in cents of m² (面 parcels of a valid file).
    pub area_cents: Option<i64>,
}

impl Parcel {
    /// The parcel as a polygon or multipolygon in GIS order `[Y, X]`; `None` for 线/点 parcels.
    pub fn geometry(&self) -> Option<geo_types::Geometry<f64>> {
        if self.shape != Shape::Polygon {
            return None;
        }
        let ls =
            |r: &Ring| LineString::from(r.points.iter().map(|p| (p.y, p.x)).collect::<Vec<_>>());
        let mut polys = Vec::new();
        for (i, r) in self.rings.iter().enumerate() {
            if r.depth % 2 == 0 {
                let holes = self
                    .rings
                    .iter()
                    .filter(|h| h.depth % 2 == 1 && h.parent == Some(i))
                    .map(ls)
                    .collect();
                polys.push(Polygon::new(ls(r), holes));
            }
        }
        Some(if polys.len() == 1 {
            geo_types::Geometry::Polygon(polys.remove(0))
        } else {
            geo_types::Geometry::MultiPolygon(MultiPolygon(polys))
        })
    }
}

/// A parsed coordinate file.
#[derive(Clone, Debug, PartialEq)]
pub struct TxtFile {
    /// Header keys as given, in order.
    pub header: Vec<(String, String)>,
    /// Zone number.
    pub zone: u32,
    /// Zone width, 3 or 6.
    pub width: u8,
    /// Central meridian, degrees.
    pub l0: i32,
    /// Whether Y carries the zone prefix.
    pub prefixed: bool,
    /// `utf-8`, `utf-8-bom` or `gbk`.
    pub encoding: &'static str,
    /// Parcels in file order (线 and 点 parcels included).
    pub parcels: Vec<Parcel>,
    /// Warnings (line 0 = the file as a whole).
    pub warnings: Vec<Diagnostic>,
}

impl TxtFile {
    /// The CRS of the coordinates as written.
    pub fn crs(&self) -> Crs {
        Crs::GaussKruger(GaussKruger {
            width: self.width,
            zone: self.zone,
            prefixed: self.prefixed,
        })
    }

    /// Read and parse a file.
    pub fn read(path: &Path) -> Result<TxtFile> {
        let bytes = std::fs::read(path).map_err(|e| FormatError::io(path, e))?;
        parse(&bytes).map_err(|errors| FormatError::Txt {
            path: path.to_path_buf(),
            errors,
        })
    }
}

/// Attribute fields of TXT parcels (pinyin initials of the Chinese names, DBF-safe).
pub fn txt_fields() -> Vec<Field> {
    vec![
        Field::new("DKBH", FieldType::Text),
        Field::new("DKMC", FieldType::Text),
        Field::new("TXSX", FieldType::Text),
        Field::new("TFH", FieldType::Text),
        Field::new("DKYT", FieldType::Text),
        Field::new("DLBM", FieldType::Text),
        Field::new("JZDS", FieldType::Int),
        Field {
            name: "DKMJ".into(),
            ty: FieldType::Float,
            width: 16,
            decimals: 4,
        },
    ]
}

/// Feature reader over the 面 parcels of a TXT file (线 and 点 parcels are skipped, W-NOT-POLYGON).
pub struct TxtReader {
    info: LayerInfo,
    file: TxtFile,
    next: usize,
}

impl TxtReader {
    /// Open and parse a file.
    pub fn open(path: &Path) -> Result<TxtReader> {
        let file = TxtFile::read(path)?;
        let count = file
            .parcels
            .iter()
            .filter(|p| p.shape == Shape::Polygon)
            .count();
        let info = LayerInfo {
            name: crate::layer_name(path),
            crs: Some(file.crs()),
            fields: txt_fields(),
            geometry_type: GeometryType::Polygon,
            feature_count: Some(count as u64),
        };
        Ok(TxtReader {
            info,
            file,
            next: 0,
        })
    }

    /// The parsed file.
    pub fn file(&self) -> &TxtFile {
        &self.file
    }
}

impl FeatureReader for TxtReader {
    fn info(&self) -> &LayerInfo {
        &self.info
    }

    fn read_feature(&mut self) -> Result<Option<Feature>> {
        while let Some(p) = self.file.parcels.get(self.next) {
            self.next += 1;
            let Some(geometry) = p.geometry() else {
                continue;
            };
            let text = |s: &str| {
                if s.is_empty() {
                    Value::Null
                } else {
                    Value::Text(s.to_string())
                }
            };
            let values = vec![
                Value::Text(p.id.clone()),
                text(&p.name),
                Value::Text(p.shape.chinese().into()),
                text(&p.sheet),
                text(&p.land_use),
                text(&p.class_code),
                p.declared_count
                    .map_or(Value::Null, |c| Value::Int(c as i64)),
                p.declared_area_ha
                    .as_deref()
                    .and_then(|t| t.parse().ok())
                    .map_or(Value::Null, Value::Float),
            ];
            return Ok(Some(Feature {
                fid: Some(p.id.clone()),
                geometry: Some(geometry),
                values,
            }));
        }
        Ok(None)
    }

    fn set_crs(&mut self, crs: Crs) {
        self.info.crs = Some(crs);
    }

    fn warnings(&self) -> Vec<String> {
        self.file.warnings.iter().map(|d| d.to_string()).collect()
    }
}
