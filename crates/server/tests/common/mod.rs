//! The small demo city the server tests run on.

#![allow(clippy::expect_used, clippy::unwrap_used, dead_code)]

use onemap_server::AppState;
use std::path::PathBuf;

/// A demo store (1 500 patches, 2024 and 2025) in a temporary directory, the server's state
/// on it, and the demo project through 永久基本农田 (a coordinate TXT).
pub struct Demo {
    pub dir: tempfile::TempDir,
    pub store: PathBuf,
    pub state: AppState,
    pub project: Vec<u8>,
}

pub fn demo() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let o = onemap_demo::DemoOptions {
        out: dir.path().to_path_buf(),
        patches: 1500,
        seed: 11,
        years: vec![2024, 2025],
        import: true,
        store: None,
    };
    onemap_demo::generate(&o, &mut |_| {}).unwrap();
    let store = dir.path().join("onemap.gpkg");
    let plan = onemap_plan::load(None).unwrap();
    let state = AppState::load(store.clone(), plan, 2, &mut |_, _| {}).unwrap();
    let project = std::fs::read_dir(dir.path().join("source/projects"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("永久基本农田"))
        .map(|p| std::fs::read(p).unwrap())
        .unwrap();
    Demo {
        dir,
        store,
        state,
        project,
    }
}
