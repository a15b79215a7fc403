//! The `sopline` binary as a user runs it: inspect, rules check, calendar
//! due, simulate.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The binary, as cargo built it for these tests; plugins built from source by `tests/build.rs`.
fn sopline() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sopline"));
    cmd.current_dir(workspace()).env("SOPLINE_PLUGINS", sopline_tests::PLUGIN_DIR);
    cmd
}

fn run(cmd: &mut Command) -> (Output, String, String) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

#[test]
fn inspect_prints_the_manifest_with_parameter_docs() {
    let (out, stdout, stderr) = run(sopline().args(["plugin", "inspect", sopline_tests::PROPERTY]));
    assert!(out.status.success(), "{stderr}");
    let manifest: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(manifest["id"], "property");
    assert_eq!(manifest["wit_version"], "0.1.0");
    let params = manifest["params"].as_array().unwrap();
    assert!(params.iter().any(|p| p["name"] == "property_name" && p["default"] == "红树西岸"));
    assert!(params.iter().all(|p| !p["description"].as_str().unwrap().is_empty()), "every parameter is explained");
}

#[test]
fn inspect_rejects_a_file_that_is_not_a_plugin() {
    let dir = tempdir("inspect");
    let bogus = dir.join("bogus.wasm");
    std::fs::write(&bogus, b"\0asm\x01\0\0\0").unwrap(); // an empty core module
    let (out, _, stderr) = run(sopline().args(["plugin", "inspect"]).arg(&bogus));
    assert!(!out.status.success());
    assert!(stderr.contains("component"), "{stderr}");
}

#[test]
fn the_shipped_rules_are_clean() {
    let (out, stdout, stderr) = run(sopline().args(["rules", "check", "rules"]));
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("property-frontdesk"), "{stdout}");
}

#[test]
fn rules_check_lists_every_error_with_its_position() {
    let dir = tempdir("rules");
    std::fs::create_dir_all(dir.join("departments")).unwrap();
    std::fs::create_dir_all(dir.join("calendars")).unwrap();
    std::fs::copy(workspace().join("rules/calendars/cn-mainland.toml"), dir.join("calendars/cn-mainland.toml"))
        .unwrap();
    std::fs::write(
        dir.join("departments/front.toml"),
        "name = \"前台\"\nplugin = \"property\"\ncalendar = \"cn-mainland\"\n[params]\nnotify_department = \"10 minutes\"\nnot_a_param = 3\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("departments/typo.toml"),
        "name = \"x\"\nplugin = \"property\"\ncalender = \"cn-mainland\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("departments/nocal.toml"), "name = \"x\"\nplugin = \"property\"\ncalendar = \"mars\"\n")
        .unwrap();
    let (out, _, stderr) = run(sopline().args(["rules", "check"]).arg(&dir));
    assert!(!out.status.success());
    let front = dir.join("departments/front.toml").display().to_string();
    for expected in [
        format!("{front}:5:21: parameter `notify_department`: invalid duration"),
        format!("{front}:6:1: unknown parameter `not_a_param`"),
        format!("{}:3:1: unknown field `calender`", dir.join("departments/typo.toml").display()),
        format!("{}:3:12: unknown calendar `mars`", dir.join("departments/nocal.toml").display()),
    ] {
        assert!(stderr.contains(&expected), "missing {expected:?} in:\n{stderr}");
    }
}

#[test]
fn calendar_due_crosses_a_make_up_saturday() {
    let (out, stdout, stderr) = run(sopline().args([
        "calendar",
        "due",
        "--calendar",
        "rules/calendars/cn-mainland.toml",
        "--start",
        "2026-02-13T17:00:00+08:00",
        "--business",
        "3h",
    ]));
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout.trim(), "2026-02-14T11:00:00+08:00");
}

#[test]
fn simulate_is_byte_identical_across_runs() {
    let scenario = "tests/scenarios/property/complaint_kept.jsonl";
    let (a, first, stderr) = run(sopline().args(["simulate", "--rules", "rules", "--scenario", scenario]));
    assert!(a.status.success(), "{stderr}");
    let (_, second, _) = run(sopline().args(["simulate", "--rules", "rules", "--scenario", scenario]));
    assert!(first.lines().count() > 10, "{first}");
    assert_eq!(first, second);
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sopline-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
