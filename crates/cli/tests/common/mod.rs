//! Helpers shared by the CLI tests.

#![allow(dead_code, clippy::expect_used)]

use std::process::{Command, Output};

/// Run the onemap binary.
pub fn onemap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onemap"))
        .args(args)
        .output()
        .expect("run onemap")
}

/// The JSON a successful command printed.
pub fn json(o: &Output) -> serde_json::Value {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("json")
}
