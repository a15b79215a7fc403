//! Shared by the benchmarks: the property plugin built from source.

use std::path::{Path, PathBuf};

/// Builds `plugins/property` into a component (cargo skips the work when it is up to date).
pub fn property_component() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let out = root.join("target/plugins/property.wasm");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    sopline_toolchain::build_plugin(&root.join("plugins/property"), &out).expect("building the property plugin");
    out
}

/// The workspace's rules folder (the simulate bench; on_event needs none).
#[allow(dead_code, reason = "shared by two benches, used by one")]
pub fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("rules")
}
