//! The Snapshot (DESIGN §6): the layers an analysis needs, held in memory in a flat layout with
//! R-tree indexes and precomputed `sandiao` areas, and the overlay operations on them — polygon
//! clipping, containment decided before any clipping, and 面积平差 of pieces to official areas.
//!
//! A [`Snapshot`] is immutable; a new dataset version makes a new one. Analyses (indicators,
//! review, monitoring) take `&Snapshot` and never see the store behind it.

pub mod adjust;
pub mod clip;
pub mod edges;
pub mod fixture;
mod layer;
pub mod overlap;
mod snapshot;

pub use adjust::apportion;
pub use layer::{BBox, Layer, LayerBuilder};
pub use snapshot::{layer_from, Snapshot, SnapshotRequest};

/// Overlay errors.
#[derive(Debug, thiserror::Error)]
pub enum OverlayError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] onemap_store::StoreError),
    /// A feature could not be read.
    #[error(transparent)]
    Format(#[from] onemap_formats::FormatError),
    /// The store holds no data for what was asked.
    #[error("{0}")]
    Missing(String),
}

/// Result with [`OverlayError`].
pub type Result<T, E = OverlayError> = std::result::Result<T, E>;
