//! One department's slow plugin delays only that department: each
//! department runs on its own lane (host/src/server/core/lane.rs). Against a
//! real `sopline serve` with a `lab` department bound to the hostile test
//! plugin, which spins until its 100 ms budget stops it.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use support::*;

/// `n` customer messages to a property contact, one after another: the
/// latency of each.
fn property_latencies(api: &Api, url: &str, n: usize) -> Vec<Duration> {
    (0..n)
        .map(|i| {
            let started = Instant::now();
            let (status, answer) =
                api.post(url, &json!({"type": "message", "from": "customer", "text": format!("第{i}次:师傅几点到?")}));
            assert_eq!(status, 200, "{answer}");
            started.elapsed()
        })
        .collect()
}

#[test]
fn a_plugin_burning_its_budget_does_not_slow_another_department() {
    let db = sqlite_db("isolation");
    let rules = rules(&[]);
    let plugins = with_hostile_lab(&rules);
    let server = Arc::new(Server::start_with(&db, &rules, "n1", &["--plugins", plugins.to_str().unwrap()]));
    let desk = Api::new(&token(&db, "agent", "desk", &[PROPERTY]));
    let lab = token(&db, "agent", "lab", &["lab"]);
    let url = |p: &str| server.url(&format!("/api/v1{p}"));
    assert_eq!(desk.post(&url("/contacts"), &complaint("c1")).0, 201);
    assert_eq!(
        desk.post(&url("/contacts/c1/events"), &json!({"type": "answered", "agent": "desk", "rings": 1})).0,
        200
    );
    let lab_api = Api::new(&lab);
    assert_eq!(lab_api.post(&url("/contacts"), &lab_contact("l1")).0, 201);
    let events = url("/contacts/c1/events");

    property_latencies(&desk, &events, 50); // warm-up
    let mut quiet = property_latencies(&desk, &events, 300);

    // Two clients keep the lab's plugin spinning: each call runs its 100 ms budget.
    let stop = Arc::new(AtomicBool::new(false));
    let spins = Arc::new(AtomicUsize::new(0));
    let burners: Vec<_> = (0..2)
        .map(|_| {
            let (server, stop, spins, lab) = (server.clone(), stop.clone(), spins.clone(), lab.clone());
            std::thread::spawn(move || {
                let api = Api::new(&lab);
                let url = server.url("/api/v1/contacts/l1/events");
                while !stop.load(Ordering::Relaxed) {
                    let (status, answer) =
                        api.post(&url, &json!({"type": "message", "from": "customer", "text": "loop"}));
                    assert_eq!(status, 200, "{answer}");
                    assert!(
                        answer.to_string().contains("plugin_failed"),
                        "the spin is stopped by its budget: {answer}"
                    );
                    spins.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let spun_before = spins.load(Ordering::Relaxed);
    let mut busy = property_latencies(&desk, &events, 300);
    let spun = spins.load(Ordering::Relaxed) - spun_before;
    stop.store(true, Ordering::Relaxed);
    for b in burners {
        b.join().unwrap();
    }

    let (quiet99, busy99) = (percentile(&mut quiet, 99.0), percentile(&mut busy, 99.0));
    let (quiet50, busy50) = (percentile(&mut quiet, 50.0), percentile(&mut busy, 50.0));
    eprintln!("property p50 {quiet50:?} → {busy50:?}, p99 {quiet99:?} → {busy99:?}, while the lab spun {spun} times");
    assert!(spun >= 3, "the lab kept burning its budget meanwhile ({spun} spins)");
    // Before lanes, one thread ran every plugin: each property event queued
    // behind a 100 ms spin (p50 3 ms → 286 ms).
    assert!(
        busy99 < quiet99 * 2 || busy99 < Duration::from_millis(20),
        "the property desk slowed down while another department's plugin burned its budget: p99 {quiet99:?} → {busy99:?}"
    );
}
