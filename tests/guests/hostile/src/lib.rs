//! A deliberately misbehaving plugin, for testing the host's sandbox.
//!
//! What it does is chosen by the text of a `message` event, the `kind` of a
//! custom `hostile` event, or the scene asked of `script`:
//!
//! | text | behaviour |
//! |---|---|
//! | `ok` | a normal `show-script` action |
//! | `trap` | panics (a wasm `unreachable` trap under `panic = "abort"`) |
//! | `loop` | spins forever |
//! | `hog` | allocates without bound |
//! | `invalid` | a deadline with an empty name |
//! | `flood` | 1 000 actions (the host allows 256) |
//! | `count` | a script whose text is how many calls this instance has seen |
//!
//! `configure` refuses `mode = "reject"`, naming the key.

use sopline_sdk::prelude::*;
use sopline_sdk::{act, params};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

/// Calls seen by this instance; shows whether the host reuses instances.
static CALLS: AtomicU64 = AtomicU64::new(0);

/// The hostile plugin, configured.
pub struct Hostile;

impl Plugin for Hostile {
    fn manifest() -> Manifest {
        Manifest {
            id: "hostile".into(),
            name: "Hostile test plugin".into(),
            version: "0.1.0".into(),
            industry: "testing".into(),
            wit_version: sopline_sdk::WIT_VERSION.into(),
            description: "Traps, loops, hoards memory and returns invalid actions on request.".into(),
            categories: vec!["consultation".into()],
            event_types: vec!["hostile".into()],
            scenes: vec!["greeting".into(), "trap".into(), "loop".into()],
            rules: vec![RuleInfo { id: "hostile-1".into(), description: "Misbehave when asked.".into() }],
            params: vec![
                params::text("mode", "normal", "`reject` makes configure fail."),
                params::duration("patience", "10m", "Unused; shows how durations are listed."),
                params::integer("points", 3, "Unused; shows how integers are listed."),
            ],
        }
    }

    fn configure(params: &Params) -> Result<Self, String> {
        match params.text("mode")?.as_str() {
            "reject" => Err("parameter `mode`: \"reject\" is refused by the hostile plugin".into()),
            _ => Ok(Hostile),
        }
    }

    fn on_event(&self, _contact: &Contact, event: &Event, _now: Timestamp) -> Vec<Action> {
        let command = match event {
            Event::Message(m) => m.text.as_str(),
            Event::Custom(c) => c.kind.as_str(),
            _ => "ok",
        };
        behave(command)
    }

    fn check_utterance(&self, _contact: &Contact, _speaker: Speaker, text: &str) -> Vec<Violation> {
        behave(text);
        Vec::new()
    }

    fn script(&self, scene: &str, _contact: &Contact) -> Option<String> {
        behave(scene);
        (scene == "greeting").then(|| "您好，这里是测试。".to_string())
    }
}

fn behave(command: &str) -> Vec<Action> {
    let calls = CALLS.fetch_add(1, Ordering::Relaxed) + 1;
    match command {
        "trap" => panic!("the hostile plugin was asked to trap"),
        "loop" => {
            let mut n: u64 = 0;
            loop {
                n = black_box(n.wrapping_add(1));
            }
        }
        "hog" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(black_box(vec![1u8; 1 << 20]));
                black_box(&hoard);
            }
        }
        "invalid" => vec![act::script("ok", "fine"), act::deadline("", Span::minutes(10))],
        "flood" => (0..1_000).map(|_| act::script("flood", "x")).collect(),
        "count" => vec![act::script("count", &calls.to_string())],
        _ => vec![act::script("greeting", "您好，这里是测试。")],
    }
}

export_plugin!(Hostile);
