//! The engine with a misbehaving plugin bound to a real department: every
//! failure is reported with the plugin's id and version, the event that
//! triggered it is kept (its lifecycle step stands), and the next event is
//! served normally.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sopline::plugin::Runtime;
use sopline::rules::{self, Catalog};
use sopline::simulate::Simulator;

fn rules_with_hostile_department() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sopline-engine-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("departments")).unwrap();
    std::fs::create_dir_all(dir.join("calendars")).unwrap();
    let calendar = Path::new(sopline_tests::WORKSPACE_DIR).join("rules/calendars/cn-mainland.toml");
    std::fs::copy(calendar, dir.join("calendars/cn-mainland.toml")).unwrap();
    std::fs::write(
        dir.join("departments/lab.toml"),
        "name = \"实验室\"\nplugin = \"hostile\"\ncalendar = \"cn-mainland\"\n",
    )
    .unwrap();
    dir
}

fn simulator() -> Simulator {
    let runtime = Runtime::new().unwrap();
    let mut catalog = Catalog::default();
    catalog.add(runtime.load_file(Path::new(sopline_tests::HOSTILE)).unwrap());
    let rules = rules::load(&rules_with_hostile_department()).unwrap_or_else(|e| panic!("{e}"));
    Simulator::new(rules::bind(&rules, &catalog).unwrap_or_else(|e| panic!("{e}")))
}

fn feed(sim: &mut Simulator, second: u32, event: Value) -> Vec<Value> {
    let mut event = event;
    event["at"] = json!(format!("2026-03-02T09:00:{second:02}+08:00"));
    event["contact"] = json!("c1");
    sim.feed_line(&event.to_string()).iter().map(|o| serde_json::to_value(o).unwrap()).collect()
}

fn customer_says(text: &str) -> Value {
    json!({"type": "message", "from": "customer", "text": text})
}

fn failure(outcomes: &[Value]) -> Option<String> {
    outcomes.iter().find(|o| o["kind"] == "plugin_failed").map(|o| {
        assert_eq!(o["plugin"], "hostile@0.1.0");
        o["error"].as_str().unwrap().to_string()
    })
}

#[test]
fn a_failing_plugin_never_loses_the_event() {
    let mut sim = simulator();
    feed(&mut sim, 0, json!({"type": "opened", "department": "lab", "channel": "chat", "category": "consultation"}));
    feed(&mut sim, 1, json!({"type": "answered", "agent": "a1"}));

    let trapped = feed(&mut sim, 2, customer_says("trap"));
    let error = failure(&trapped).expect("a trap is reported");
    assert!(error.contains("hostile@0.1.0") && error.contains("trap"), "{error}");

    let looped = feed(&mut sim, 3, customer_says("loop"));
    assert!(failure(&looped).expect("a runaway loop is reported").contains("100 ms"));

    let hog = feed(&mut sim, 4, customer_says("hog"));
    assert!(failure(&hog).expect("unbounded allocation is reported").contains("out of memory"));

    // An invalid list changes nothing: not even its valid first action runs.
    let invalid = feed(&mut sim, 5, customer_says("invalid"));
    assert!(failure(&invalid).is_some());
    assert!(!invalid.iter().any(|o| o["kind"] == "script"), "{invalid:?}");

    // The plugin is still there for the next event, and the lifecycle kept every step.
    let fine = feed(&mut sim, 6, customer_says("ok"));
    assert!(failure(&fine).is_none(), "{fine:?}");
    assert!(fine.iter().any(|o| o["kind"] == "script"), "{fine:?}");
    let ended = feed(&mut sim, 7, json!({"type": "ended", "agent": "a1"}));
    assert!(ended.iter().any(|o| o["kind"] == "state" && o["to"] == "pending"), "{ended:?}");
    assert_eq!(sim.contact("c1").unwrap().state, sopline::lifecycle::State::Pending);
    assert_eq!(sim.stats.rejected, 0, "a plugin failure is not a rejection of the event");
}

#[test]
fn an_agent_message_that_crashes_the_utterance_check_is_still_recorded() {
    let mut sim = simulator();
    feed(&mut sim, 0, json!({"type": "opened", "department": "lab", "channel": "chat", "category": "consultation"}));
    feed(&mut sim, 1, json!({"type": "answered", "agent": "a1"}));
    let outcomes = feed(&mut sim, 2, json!({"type": "message", "from": "agent", "agent": "a1", "text": "trap"}));
    assert!(failure(&outcomes).is_some(), "{outcomes:?}");
    assert!(!outcomes.iter().any(|o| o["kind"] == "rejected"), "{outcomes:?}");
}
