//! `sopline_toolchain::build_plugin` against real crates: what it builds the
//! runtime loads, and every plugin and guest of the workspace loads.

use sopline::plugin::Runtime;
use sopline_toolchain::{Toolchain, build_plugin};
use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sopline-toolchain-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_toolchain_is_detected() {
    let toolchain = Toolchain::detect().expect("this machine can build plugins");
    println!("{toolchain:?}");
}

#[test]
fn build_plugin_makes_a_component_the_runtime_loads() {
    let dir = scratch("hostile");
    let out = dir.join("hostile.wasm");
    let crate_dir = Path::new(sopline_tests::WORKSPACE_DIR).join("tests/guests/hostile");

    let report = build_plugin(&crate_dir, &out).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(report.package, "sopline-guest-hostile");
    assert!(report.encoded, "a new output is encoded");
    assert_eq!(report.size, std::fs::metadata(&out).unwrap().len());
    assert!(report.core_module.ends_with("wasm32-unknown-unknown/plugin/sopline_guest_hostile.wasm"), "{report:?}");

    let runtime = Runtime::new().unwrap();
    let plugin = runtime.load_file(&out).unwrap();
    assert_eq!(plugin.id_version(), "hostile@0.1.0");
    assert_eq!(plugin.contract_version(), "0.1.0");

    // Up to date: cargo has nothing to do and the component is not re-encoded.
    let again = build_plugin(&crate_dir, &out).unwrap();
    assert!(!again.encoded, "{again:?}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn build_plugin_says_what_is_missing() {
    let dir = scratch("empty");
    let err = build_plugin(&dir, &dir.join("x.wasm")).unwrap_err();
    assert!(format!("{err:#}").contains("is not a crate (no Cargo.toml)"), "{err:#}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn every_built_plugin_and_guest_loads() {
    let runtime = Runtime::new().unwrap();
    let mut loaded = Vec::new();
    for (name, path) in sopline_tests::ALL {
        if !Path::new(path).exists() {
            // Skipped by SOPLINE_TEST_PLUGINS (build.rs warned about it).
            continue;
        }
        let plugin = runtime.load_file(Path::new(path)).unwrap_or_else(|e| panic!("{name}: {e}"));
        plugin.instantiate(Vec::new()).unwrap_or_else(|e| panic!("{name}: {e}"));
        loaded.push(plugin.id_version());
    }
    assert!(loaded.contains(&"hostile@0.1.0".to_string()), "{loaded:?}");
}
