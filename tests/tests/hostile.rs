//! The plugin sandbox against a plugin that misbehaves on purpose
//! (`tests/guests/hostile`, built from source by `build.rs`): traps, infinite
//! loops, unbounded allocation and invalid actions each fail one call with an
//! error naming `hostile@0.1.0`, and the host — and the same instance — keeps
//! working afterwards.

use sopline::plugin::wit::{self, Action, Contact, Event};
use sopline::plugin::{
    Limits, LoadedPlugin, MAX_CODE_BYTES, MAX_COMPONENT_BYTES, MAX_FUNCTIONS, PluginError, PluginInstance, Rejection,
    Runtime, inspect, precheck,
};
use std::path::Path;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

/// One runtime for the whole file, as in the server: tests share its cache.
static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| Runtime::new().expect("runtime"));

fn hostile() -> Arc<LoadedPlugin> {
    RUNTIME.load_file(Path::new(sopline_tests::HOSTILE)).expect("the hostile plugin loads")
}

fn instance() -> PluginInstance {
    hostile().instantiate(Vec::new()).expect("the hostile plugin accepts its defaults")
}

fn contact() -> Contact {
    Contact {
        id: "c1".into(),
        department: "test".into(),
        channel: wit::Channel::Chat,
        category: "consultation".into(),
        severity: wit::Severity::Normal,
        state: wit::State::InProgress,
        customer: wit::Customer {
            id: "cust-1".into(),
            name: "王小明".into(),
            phone: "13800000000".into(),
            extra: Vec::new(),
        },
        fields: Vec::new(),
        agent: Some("a1".into()),
        identified: false,
        opened_at: 1_772_413_200_000,
        answered_at: Some(1_772_413_208_000),
        ended_at: None,
        resolved_at: None,
        reopen_count: 0,
        deadlines: Vec::new(),
        callbacks: Vec::new(),
        memory: Vec::new(),
    }
}

fn message(text: &str) -> Event {
    Event::Message(wit::Message { from: wit::Speaker::Customer, agent: None, text: text.into() })
}

fn send(instance: &mut PluginInstance, text: &str) -> Result<Vec<Action>, PluginError> {
    instance.on_event(&contact(), &message(text), 1_772_413_300_000)
}

/// The next ordinary call on the same instance works.
fn assert_recovers(instance: &mut PluginInstance) {
    let actions = send(instance, "ok").expect("the instance works again after a failed call");
    assert!(matches!(&actions[..], [Action::ShowScript(s)] if s.scene == "greeting"), "{actions:?}");
}

#[test]
fn ok_returns_a_script() {
    let mut instance = instance();
    assert_recovers(&mut instance);
    assert_eq!(instance.manifest().id, "hostile");
    assert_eq!(instance.plugin().id_version(), "hostile@0.1.0");
    assert_eq!(instance.script("greeting", &contact()).unwrap().as_deref(), Some("您好，这里是测试。"));
    assert_eq!(instance.script("no-such-scene", &contact()).unwrap(), None);
}

#[test]
fn trap_names_the_plugin_and_the_instance_recovers() {
    let mut instance = instance();
    let err = send(&mut instance, "trap").unwrap_err();
    assert!(matches!(err, PluginError::Trap { call: "on-event", .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "plugin hostile@0.1.0 trapped in on-event: wasm trap: wasm `unreachable` instruction executed"
    );
    assert!(instance.is_poisoned());
    assert_recovers(&mut instance);
    assert_eq!(instance.generation(), 2, "rebuilt once after the trap");
}

#[test]
fn infinite_loop_is_stopped_within_bounded_time() {
    let mut instance = instance();
    let started = Instant::now();
    let err = send(&mut instance, "loop").unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, PluginError::Timeout { .. }), "{err:?}");
    assert_eq!(err.to_string(), "plugin hostile@0.1.0 exceeded its 100 ms CPU budget in on-event");
    assert!(elapsed < Duration::from_secs(2), "stopped after {elapsed:?}");
    assert_recovers(&mut instance);
}

#[test]
fn unbounded_allocation_runs_out_of_memory() {
    let mut instance = instance();
    let err = send(&mut instance, "hog").unwrap_err();
    assert!(matches!(err, PluginError::OutOfMemory { limit_bytes, .. } if limit_bytes == 64 << 20), "{err:?}");
    assert_eq!(err.to_string(), "plugin hostile@0.1.0 ran out of memory (limit 64 MiB) in on-event");
    assert_recovers(&mut instance);
}

#[test]
fn other_exports_are_bounded_too() {
    let mut instance = instance();
    let err = instance.script("trap", &contact()).unwrap_err();
    assert!(err.to_string().starts_with("plugin hostile@0.1.0 trapped in script: "), "{err}");
    let err = instance.check_utterance(&contact(), wit::Speaker::Agent, "loop").unwrap_err();
    assert_eq!(err.to_string(), "plugin hostile@0.1.0 exceeded its 100 ms CPU budget in check-utterance");
    assert!(instance.check_utterance(&contact(), wit::Speaker::Agent, "fine").unwrap().is_empty());
}

#[test]
fn invalid_actions_are_refused_without_killing_the_instance() {
    let mut instance = instance();
    let err = send(&mut instance, "invalid").unwrap_err();
    assert!(matches!(err, PluginError::InvalidActions { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "plugin hostile@0.1.0 returned invalid actions: action 1 (set-deadline): the name is empty"
    );

    let err = send(&mut instance, "flood").unwrap_err();
    assert_eq!(
        err.to_string(),
        "plugin hostile@0.1.0 returned invalid actions: 1000 actions, more than the 256 allowed in one call"
    );

    // The calls themselves completed: nothing to rebuild.
    assert!(!instance.is_poisoned());
    assert_recovers(&mut instance);
    assert_eq!(instance.generation(), 1);
}

#[test]
fn custom_events_reach_the_plugin() {
    let mut instance = instance();
    let event = Event::Custom(wit::CustomEvent { kind: "trap".into(), agent: None, fields: Vec::new() });
    let err = instance.on_event(&contact(), &event, 0).unwrap_err();
    assert!(matches!(err, PluginError::Trap { .. }), "{err:?}");
}

#[test]
fn configure_rejection_names_the_plugin_and_the_key() {
    let plugin = hostile();
    let err = plugin.instantiate(vec![("mode".into(), wit::ParamValue::Text("reject".into()))]).unwrap_err();
    assert!(matches!(err, PluginError::Config { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "plugin hostile@0.1.0 rejected its parameters: parameter `mode`: \"reject\" is refused by the hostile plugin"
    );

    // The SDK checks keys and kinds before the plugin sees them.
    let err = plugin.instantiate(vec![("colour".into(), wit::ParamValue::Flag(true))]).unwrap_err();
    assert!(err.to_string().contains("unknown parameter `colour`"), "{err}");
    let err = plugin.instantiate(vec![("points".into(), wit::ParamValue::Text("3".into()))]).unwrap_err();
    assert!(err.to_string().contains("parameter `points` must be an integer"), "{err}");

    plugin.instantiate(vec![("mode".into(), wit::ParamValue::Text("calm".into()))]).expect("other modes are accepted");
}

#[test]
fn one_instance_serves_many_calls() {
    let plugin = hostile();
    let mut instance = plugin.instantiate(Vec::new()).unwrap();
    let before = plugin.instantiations();
    let mut counts = Vec::new();
    for _ in 0..50 {
        let actions = send(&mut instance, "count").unwrap();
        let [Action::ShowScript(line)] = &actions[..] else { panic!("{actions:?}") };
        counts.push(line.text.parse::<u64>().unwrap());
    }
    // The guest's own call counter keeps rising: its memory lives on between calls.
    assert!(counts.windows(2).all(|w| w[1] == w[0] + 1), "{counts:?}");
    assert_eq!(instance.generation(), 1);
    // Other tests share the plugin and may instantiate concurrently, so only
    // this instance's generation is exact; its calls added no instantiation
    // beyond what those tests did (at most one per concurrent test).
    assert!(
        plugin.instantiations() - before < 50,
        "{} instantiations during 50 calls",
        plugin.instantiations() - before
    );
}

#[test]
fn a_component_is_compiled_once() {
    let runtime = Runtime::new().unwrap();
    let bytes = std::fs::read(sopline_tests::HOSTILE).unwrap();
    let first = runtime.load(&bytes).unwrap();
    let second = runtime.load_file(Path::new(sopline_tests::HOSTILE)).unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    assert_eq!(runtime.cached(), 1);
    assert_eq!(first.instantiations(), 1, "only the manifest read so far");
    assert_eq!(first.sha256().len(), 64);
}

#[test]
fn the_pool_bounds_instances_and_reuses_freed_slots() {
    let runtime = Runtime::with_limits(Limits { max_instances: 2, ..Limits::default() }).unwrap();
    let plugin = runtime.load_file(Path::new(sopline_tests::HOSTILE)).unwrap();
    let a = plugin.instantiate(Vec::new()).unwrap();
    let _b = plugin.instantiate(Vec::new()).unwrap();
    let err = plugin.instantiate(Vec::new()).unwrap_err();
    assert!(matches!(err, PluginError::Instantiate { .. }), "{err:?}");
    assert!(err.to_string().starts_with("plugin hostile@0.1.0 could not be instantiated: "), "{err}");
    drop(a);
    plugin.instantiate(Vec::new()).expect("a freed slot is reused");
}

#[test]
fn garbage_is_not_wasm() {
    let err = RUNTIME.load(b"this is not a plugin").unwrap_err();
    assert!(matches!(err, PluginError::Rejected { reason: Rejection::NotWasm(_), .. }), "{err:?}");
    assert!(err.to_string().starts_with("plugin bytes rejected: not a WebAssembly file"), "{err}");
}

#[test]
fn a_core_module_is_rejected_with_a_hint() {
    let path = Path::new(sopline_tests::HOSTILE_CORE_MODULE);
    let err = RUNTIME.load_file(path).unwrap_err();
    assert!(matches!(err, PluginError::Rejected { reason: Rejection::CoreModule, .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "plugin file {} rejected: it is a core wasm module, not a component; build it with `sopline plugin build`",
            path.display()
        )
    );
}

#[test]
fn a_component_of_another_world_is_rejected() {
    let wit = "package test:stranger;\ninterface greeter { greet: func(name: string) -> string; }\nworld stranger { export greeter; }";
    let bytes = sopline_tests::component_for_world(wit, "stranger").unwrap();
    let err = RUNTIME.load(&bytes).unwrap_err();
    assert!(
        matches!(&err, PluginError::Rejected { reason: Rejection::NoPluginExport(e), .. } if e == &["test:stranger/greeter"]),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "plugin bytes rejected: it does not export `sopline:sop/plugin@…` (it exports: `test:stranger/greeter`)"
    );
}

#[test]
fn a_component_of_an_unknown_contract_version_is_rejected() {
    let wit = "package sopline:sop@0.9.0;\ninterface plugin { manifest: func() -> string; }\nworld sop-plugin { export plugin; }";
    let bytes = sopline_tests::component_for_world(wit, "sop-plugin").unwrap();
    let err = RUNTIME.load(&bytes).unwrap_err();
    assert!(
        matches!(&err, PluginError::Rejected { reason: Rejection::UnsupportedVersion { found, .. }, .. } if found == "0.9.0"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "plugin bytes rejected: it was built for sopline:sop@0.9.0; this host supports 0.1.0");
}

#[test]
fn a_component_that_imports_anything_is_rejected() {
    let contract =
        std::fs::read_to_string(Path::new(sopline_tests::WORKSPACE_DIR).join("wit/since_v0.1.0/sop.wit")).unwrap();
    let wit = format!(
        "{contract}\ninterface clock {{ now: func() -> s64; }}\nworld impure {{ import clock; export plugin; }}"
    );
    let bytes = sopline_tests::component_for_world(&wit, "impure").unwrap();
    let err = RUNTIME.load(&bytes).unwrap_err();
    assert!(matches!(&err, PluginError::Rejected { reason: Rejection::Imports(_), .. }), "{err:?}");
    assert!(err.to_string().contains("it imports `sopline:sop/clock@0.1.0`, but plugins may import nothing"), "{err}");
}

#[test]
fn every_built_component_is_well_within_the_size_limits() {
    for (name, path) in sopline_tests::ALL {
        let bytes = std::fs::read(path).unwrap();
        let s = precheck(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        eprintln!("{name}: {} bytes, {} functions, {} bytes of code", bytes.len(), s.functions, s.code_bytes);
        assert_eq!(s.contract_version, "0.1.0");
        // A quarter of each limit: room for plugins to grow before anyone meets them.
        assert!(bytes.len() < MAX_COMPONENT_BYTES / 4, "{name}: {} bytes", bytes.len());
        assert!(s.functions < MAX_FUNCTIONS / 4, "{name}: {} functions", s.functions);
        assert!(s.code_bytes < MAX_CODE_BYTES / 4, "{name}: {} bytes of code", s.code_bytes);
    }
}

#[test]
fn too_much_code_is_refused_before_compiling() {
    let wit = "package test:stranger;\ninterface greeter { greet: func(name: string) -> string; }\nworld stranger { export greeter; }";
    let bytes =
        sopline_tests::with_dead_code(&sopline_tests::component_for_world(wit, "stranger").unwrap(), MAX_CODE_BYTES);
    let started = Instant::now();
    let err = RUNTIME.load(&bytes).unwrap_err();
    assert!(
        matches!(&err, PluginError::Rejected { reason: Rejection::TooLarge { what: "function code", .. }, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("more than the 4 MiB a plugin may have"), "{err}");
    assert!(started.elapsed() < Duration::from_millis(500), "refused after {:?}", started.elapsed());
}

#[test]
fn inspect_describes_the_hostile_plugin() {
    let json = inspect(Path::new(sopline_tests::HOSTILE)).unwrap();
    assert_eq!(json["id"], "hostile");
    assert_eq!(json["version"], "0.1.0");
    assert_eq!(json["wit_version"], "0.1.0");
    assert_eq!(json["industry"], "testing");
    assert_eq!(json["event_types"], serde_json::json!(["hostile"]));
    assert_eq!(json["rules"], serde_json::json!([{"id": "hostile-1", "description": "Misbehave when asked."}]));
    assert_eq!(
        json["params"],
        serde_json::json!([
            {"name": "mode", "kind": "text", "default": "normal", "description": "`reject` makes configure fail."},
            {"name": "patience", "kind": "duration", "default": "10m", "description": "Unused; shows how durations are listed."},
            {"name": "points", "kind": "integer", "default": 3, "description": "Unused; shows how integers are listed."},
        ])
    );
    assert_eq!(json["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(json["size"], std::fs::metadata(sopline_tests::HOSTILE).unwrap().len());

    let err = inspect(Path::new(sopline_tests::HOSTILE_CORE_MODULE)).unwrap_err();
    assert!(err.to_string().contains("core wasm module"), "{err}");
}

/// Figures for the report: `cargo test -p sopline-tests --release --test
/// hostile -- --ignored --nocapture measure`.
#[test]
#[ignore = "prints timings; run by hand"]
fn measure() {
    let bytes = std::fs::read(sopline_tests::HOSTILE).unwrap();
    let started = Instant::now();
    let runtime = Runtime::new().unwrap();
    println!("runtime (engine + pool + ticker): {:?}", started.elapsed());
    let started = Instant::now();
    let plugin = runtime.load(&bytes).unwrap();
    println!("load ({} bytes: compile + manifest): {:?}", bytes.len(), started.elapsed());
    let started = Instant::now();
    let plugin2 = runtime.load(&bytes).unwrap();
    println!("load again (cache hit incl. sha256): {:?}", started.elapsed());
    drop(plugin2);
    let n = 1000;
    let started = Instant::now();
    for _ in 0..n {
        drop(plugin.instantiate(Vec::new()).unwrap());
    }
    println!("instantiate + configure: {:?} each", started.elapsed() / n);
    let mut instance = plugin.instantiate(Vec::new()).unwrap();
    let (c, e) = (contact(), message("ok"));
    for _ in 0..100 {
        instance.on_event(&c, &e, 0).unwrap();
    }
    let n = 10_000;
    let started = Instant::now();
    for _ in 0..n {
        instance.on_event(&c, &e, 0).unwrap();
    }
    println!("on-event (contact in, one script out): {:?} each", started.elapsed() / n);

    for (name, path) in sopline_tests::ALL {
        let Ok(bytes) = std::fs::read(path) else { continue };
        let runtime = Runtime::new().unwrap();
        let started = Instant::now();
        let plugin = runtime.load(&bytes).unwrap();
        let load = started.elapsed();
        let started = Instant::now();
        let mut instance = plugin.instantiate(Vec::new()).unwrap();
        let instantiate = started.elapsed();
        let started = Instant::now();
        let result = instance.on_event(&contact(), &Event::Opened, 1_772_413_200_000);
        let first_call = started.elapsed();
        println!(
            "{name}: {} bytes, load {load:?}, instantiate {instantiate:?}, first on-event(opened) {first_call:?} ({} actions)",
            bytes.len(),
            result.map(|a| a.len()).unwrap_or(0)
        );
    }
}
