//! One pass over a source layer as an import sees it: fields mapped, values normalised,
//! geometry repaired and converted to CGCS2000 longitude/latitude, `sandiao` area computed, and
//! every check of the kind run. The store writes what this yields; `validate` only reports.

use crate::checks::{self, Check, Finding, Options, Record, Severity};
use crate::kinds::Kind;
use crate::mapping::{map_fields, normalize, FieldMap};
use onemap_formats::model::{map_coords, polygon_rings};
use onemap_formats::{Feature, FeatureReader, Field, Geometry, Value};
use onemap_geodesy::crs::{Crs, Transform};
use onemap_geodesy::sandiao;

/// A feature ready for the store.
pub struct Prepared {
    /// 0-based index in the source.
    pub index: u64,
    /// Geometry in EPSG:4490.
    pub geometry: Option<Geometry>,
    /// Values aligned with [`Inspector::fields`].
    pub values: Vec<Value>,
    /// `sandiao` area of the source geometry, cents.
    pub area_cents: Option<i64>,
}

/// A feature after the work that needs nothing of the others.
struct Staged {
    index: u64,
    values: Vec<Value>,
    issues: Vec<(String, String, bool)>,
    geometry: Option<Geometry>,
    geometry_ok: bool,
    repairs: Vec<checks::GeometryIssue>,
    area_cents: Option<i64>,
}

/// The per-feature work's inputs.
struct Stager<'a> {
    kind: Kind,
    map: &'a FieldMap,
    source_crs: Crs,
    to_4490: Transform,
}

impl Stager<'_> {
    /// The per-feature work that needs nothing of the other features.
    fn stage(&self, index: u64, f: Feature) -> Staged {
        let mut issues = Vec::new();
        let values = normalize(self.kind, self.map, &f.values, &mut issues);
        let mut geometry = f.geometry;
        let repairs = checks::repair(&mut geometry, self.kind.polygons());
        let geometry_ok = repairs.iter().all(|gi| gi.severity != Severity::Error);
        let area_cents = match (&geometry, self.source_crs.area_frame()) {
            (Some(g), Some(frame)) if geometry_ok => {
                let rings = polygon_rings(g);
                (!rings.is_empty()).then(|| {
                    sandiao::to_cents(sandiao::feature_area(
                        frame,
                        rings
                            .iter()
                            .map(|(r, h)| (r.0.iter().map(|c| [c.x, c.y]), *h)),
                    ))
                })
            }
            _ => None,
        };
        if let Some(g) = &mut geometry {
            if !self.to_4490.is_identity() {
                let t = self.to_4490;
                map_coords(g, &|p| t.apply(p));
            }
        }
        Staged {
            index,
            values,
            issues,
            geometry,
            geometry_ok,
            repairs,
            area_cents,
        }
    }
}

/// Runs the import pipeline over features, collecting findings.
pub struct Inspector {
    kind: Kind,
    map: FieldMap,
    source_crs: Crs,
    to_4490: Transform,
    checks: Vec<Box<dyn Check>>,
    /// Findings so far.
    pub findings: Vec<Finding>,
    /// Mapping notes for the report.
    pub notes: Vec<String>,
}

impl Inspector {
    /// Prepare for a layer of `kind` with these source fields and CRS.
    pub fn new(
        kind: Kind,
        source_fields: &[Field],
        source_crs: Crs,
        user_map: &[(String, String)],
        opts: &Options,
    ) -> Result<Inspector, String> {
        let map = map_fields(kind, source_fields, user_map)?;
        let mut findings = Vec::new();
        for f in &map.missing_required {
            findings.push(Finding {
                severity: Severity::Error,
                check: "D-E01",
                feature: None,
                field: Some(f.to_string()),
                message: format!("required field {f} is missing (give it with --map {f}=SOURCE_FIELD if it has another name)"),
            });
        }
        if !map.erdiao.is_empty() {
            findings.push(Finding {
                severity: Severity::Error,
                check: "D-E10",
                feature: None,
                field: Some(map.erdiao.join(",")),
                message: format!("fields {} are 二调 areas: this is 二调-era data with another area formula (standards §4.2.1)", map.erdiao.join(", ")),
            });
        }
        let notes = map.notes.clone();
        Ok(Inspector {
            kind,
            to_4490: Transform::new(source_crs, Crs::Cgcs2000),
            source_crs,
            map,
            checks: checks::checks_for(kind, opts),
            findings,
            notes,
        })
    }

    /// The dataset's fields.
    pub fn fields(&self) -> &[Field] {
        &self.map.fields
    }

    /// Whether an error has been found (the import will be refused).
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// Process one source feature.
    pub fn feature(&mut self, index: u64, f: Feature) -> Prepared {
        let staged = self.stager().stage(index, f);
        self.admit(staged)
    }

    /// Process a batch of source features (consecutive indices from `first`): the per-feature
    /// work (normalising, repairing, measuring, converting to CGCS2000) on every core, then the
    /// checks in order. The same result as [`Inspector::feature`] on each.
    pub fn features(&mut self, first: u64, batch: Vec<Feature>) -> Vec<Prepared> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let staged: Vec<Staged> = if threads < 2 || batch.len() < 256 {
            batch
                .into_iter()
                .enumerate()
                .map(|(k, f)| self.stager().stage(first + k as u64, f))
                .collect()
        } else {
            let chunk = batch.len().div_ceil(threads);
            let mut parts: Vec<Vec<(u64, Feature)>> = Vec::new();
            for (k, f) in batch.into_iter().enumerate() {
                if k % chunk == 0 {
                    parts.push(Vec::with_capacity(chunk));
                }
                if let Some(p) = parts.last_mut() {
                    p.push((first + k as u64, f));
                }
            }
            let me = self.stager();
            let me = &me;
            std::thread::scope(|sc| {
                let hs: Vec<_> = parts
                    .into_iter()
                    .map(|part| {
                        sc.spawn(move || {
                            part.into_iter()
                                .map(|(i, f)| me.stage(i, f))
                                .collect::<Vec<Staged>>()
                        })
                    })
                    .collect();
                hs.into_iter()
                    .flat_map(|h| h.join().unwrap_or_default())
                    .collect()
            })
        };
        staged.into_iter().map(|s| self.admit(s)).collect()
    }

    /// What the per-feature work needs (shared by the threads).
    fn stager(&self) -> Stager<'_> {
        Stager {
            kind: self.kind,
            map: &self.map,
            source_crs: self.source_crs,
            to_4490: self.to_4490,
        }
    }

    /// Record a staged feature's findings and run the checks on it, in source order.
    fn admit(&mut self, s: Staged) -> Prepared {
        let index = s.index;
        for (field, message, error) in s.issues {
            self.findings.push(Finding {
                severity: if error {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                check: if error { "V-E01" } else { "V-W01" },
                feature: Some(index),
                field: Some(field),
                message,
            });
        }
        for gi in s.repairs {
            self.findings.push(Finding {
                severity: gi.severity,
                check: if gi.severity == Severity::Error {
                    "G-E01"
                } else {
                    "G-W01"
                },
                feature: Some(index),
                field: None,
                message: gi.message,
            });
        }
        let record = Record {
            index,
            fields: &self.map.fields,
            values: &s.values,
            lonlat: s.geometry.as_ref().filter(|_| s.geometry_ok),
            area_cents: s.area_cents,
        };
        for c in &mut self.checks {
            c.feature(&record, &mut self.findings);
        }
        Prepared {
            index,
            geometry: s.geometry,
            values: s.values,
            area_cents: s.area_cents,
        }
    }

    /// Run the dataset-wide checks; returns all findings, errors first, then by feature.
    pub fn finish(mut self) -> (Vec<Finding>, Vec<String>) {
        for c in &mut self.checks {
            c.finish(&mut self.findings);
        }
        self.findings
            .sort_by_key(|f| (f.severity, f.feature, f.check));
        (self.findings, self.notes)
    }
}

/// Inspect a whole reader without storing anything (`onemap validate`).
pub fn validate(
    r: &mut dyn FeatureReader,
    kind: Kind,
    user_map: &[(String, String)],
    opts: &Options,
) -> Result<(Vec<Finding>, Vec<String>, u64), String> {
    let crs = r.info().crs.ok_or("no CRS")?;
    let fields = r.info().fields.clone();
    let mut ins = Inspector::new(kind, &fields, crs, user_map, opts)?;
    let mut n = 0;
    loop {
        let batch = read_batch(r).map_err(|e| e.to_string())?;
        if batch.is_empty() {
            break;
        }
        let k = batch.len() as u64;
        ins.features(n, batch);
        n += k;
    }
    let (f, notes) = ins.finish();
    Ok((f, notes, n))
}

/// Features read a batch at a time (what [`Inspector::features`] takes); empty at the end.
pub fn read_batch(r: &mut dyn FeatureReader) -> onemap_formats::Result<Vec<Feature>> {
    let mut batch = Vec::with_capacity(BATCH);
    while batch.len() < BATCH {
        match r.read_feature()? {
            Some(f) => batch.push(f),
            None => break,
        }
    }
    Ok(batch)
}

/// Features per batch.
pub const BATCH: usize = 4096;
