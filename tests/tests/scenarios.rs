//! Every scenario under `tests/scenarios/` runs through the simulator with the
//! real rules and the plugins built from source, and must produce what its
//! `.expect.jsonl` says (see tests/scenarios/README.md for the format).

use std::path::{Path, PathBuf};

use std::sync::OnceLock;

use serde_json::Value;
use sopline::plugin::Runtime;
use sopline::rules::{self, Catalog};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The plugins, compiled once per test process.
fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let runtime = Runtime::new().unwrap();
        Catalog::load_dir(&runtime, Path::new(sopline_tests::PLUGIN_DIR)).unwrap_or_else(|e| panic!("{e:#}"))
    })
}

fn simulate(scenario: &Path) -> Vec<Value> {
    let rules = rules::load(&workspace().join("rules")).unwrap_or_else(|e| panic!("{e}"));
    let engine = rules::bind(&rules, catalog()).unwrap_or_else(|e| panic!("{e}"));
    let input = std::fs::read(scenario).unwrap();
    let mut out = Vec::new();
    sopline::simulate::run(engine, &input[..], &mut out).unwrap();
    String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Whether `actual` has every field of `expected` (recursively).
fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => want.iter().all(|(k, v)| {
            if let Some(field) = k.strip_suffix("_contains") {
                let needle = v.as_str().unwrap_or_default();
                return have.get(field).and_then(Value::as_str).is_some_and(|t| t.contains(needle));
            }
            have.get(k).is_some_and(|h| matches(v, h))
        }),
        _ => expected == actual,
    }
}

fn check(scenario: &Path) -> Result<(), String> {
    let expect_path = scenario.with_extension("expect.jsonl");
    let expectations = std::fs::read_to_string(&expect_path)
        .map_err(|e| format!("{}: {e} (every scenario needs its expectations)", expect_path.display()))?;
    let outcomes = simulate(scenario);
    let listing = || outcomes.iter().map(|o| format!("  {o}")).collect::<Vec<_>>().join("\n");
    let mut cursor = 0;
    for (n, line) in expectations.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        let expected: Value =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", expect_path.display(), n + 1))?;
        if let Some(forbidden) = expected.get("not") {
            if let Some(hit) = outcomes.iter().find(|o| matches(forbidden, o)) {
                return Err(format!("{}:{}: forbidden outcome happened: {hit}", expect_path.display(), n + 1));
            }
            continue;
        }
        match outcomes[cursor..].iter().position(|o| matches(&expected, o)) {
            Some(i) => cursor += i + 1,
            None => {
                return Err(format!(
                    "{}:{}: expected {expected} after outcome #{cursor}; outcomes were:\n{}",
                    expect_path.display(),
                    n + 1,
                    listing()
                ));
            }
        }
    }
    Ok(())
}

/// The scenarios of one folder of `tests/scenarios/`.
fn scenarios(dir: &str) -> Vec<PathBuf> {
    let root = workspace().join("tests/scenarios").join(dir);
    let mut found: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".jsonl") && !name.ends_with(".expect.jsonl")
        })
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no scenarios in {}", root.display());
    found
}

fn run_dir(dir: &str) {
    let all = scenarios(dir);
    let failures: Vec<String> = all.iter().filter_map(|s| check(s).err()).collect();
    assert!(failures.is_empty(), "{} of {} scenarios failed:\n\n{}", failures.len(), all.len(), failures.join("\n\n"));
    // The same input must give the same output, byte for byte.
    for scenario in &all {
        assert_eq!(simulate(scenario), simulate(scenario), "{} is not deterministic", scenario.display());
    }
}

macro_rules! scenario_folders {
    ($($dir:ident),* $(,)?) => {
        $(
            #[test]
            fn $dir() {
                run_dir(stringify!($dir));
            }
        )*
    };
}

scenario_folders!(engine, property, bank, ecommerce, gps);

#[test]
fn the_matcher_is_strict() {
    let outcome = serde_json::json!({"kind": "penalty", "points": 2, "rule": "PM-2.f", "text": "您好"});
    assert!(matches(&serde_json::json!({"kind": "penalty", "rule": "PM-2.f"}), &outcome));
    assert!(!matches(&serde_json::json!({"kind": "penalty", "rule": "PM-2.g"}), &outcome));
    assert!(!matches(&serde_json::json!({"points": 3}), &outcome));
    assert!(!matches(&serde_json::json!({"missing": 1}), &outcome));
    assert!(matches(&serde_json::json!({"text_contains": "您"}), &outcome));
    assert!(matches(&serde_json::json!({"rule_contains": "PM-2"}), &outcome));
    assert!(!matches(&serde_json::json!({"rule_contains": "PM-3"}), &outcome));
}
