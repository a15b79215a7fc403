//! Throughput of the simulator: 100,000 property complaints, each from the
//! first ring to the return visit (10 events, ~1,000,000 in all), fed as JSON
//! lines on one thread, with every deadline and callback they set firing or
//! being met on the virtual clock. A load test: run once, report events/s.
//!
//! `cargo bench -p sopline --bench simulate [-- CONTACTS]`

mod common;

use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use sopline::rules::{self, Catalog};
use sopline::simulate::Simulator;

fn scenario(contacts: usize) -> Vec<String> {
    let start: Timestamp = "2026-03-02T09:00:00+08:00".parse().unwrap();
    let steps: [(i64, &str); 10] = [
        (
            0,
            r#""type":"opened","department":"property-frontdesk","channel":"phone","category":"complaint","customer":{"id":"o","name":"王小明","phone":"13800000000"},"fields":{"room":"5栋1203"}"#,
        ),
        (8, r#""type":"answered","agent":"a1","rings":2"#),
        (
            10,
            r#""type":"message","from":"agent","agent":"a1","text":"您好,欢迎致电红树西岸管理处前台客服,请问有什么可以帮助您!""#,
        ),
        (180, r#""type":"ended","agent":"a1""#),
        (420, r#""type":"handed_off","agent":"a1","to":"工程部""#),
        (1200, r#""type":"customer_notified","agent":"a1""#),
        (4000, r#""type":"department_replied","from":"工程部","text":"已派维修工""#),
        (7200, r#""type":"resolved","agent":"a1""#),
        (30000, r#""type":"callback_attempted","agent":"a1","outcome":"satisfied""#),
        (30100, r#""type":"closed","agent":"a1""#),
    ];
    let mut events: Vec<(Timestamp, usize, String)> = Vec::with_capacity(contacts * steps.len());
    for n in 0..contacts {
        let opened = start + SignedDuration::from_millis(n as i64 * 250);
        for (step, (offset, body)) in steps.iter().enumerate() {
            let at = opened + SignedDuration::from_secs(*offset);
            events.push((at, n * 16 + step, format!(r#"{{"at":"{at}","contact":"c{n}",{body}}}"#)));
        }
    }
    events.sort_by_key(|(at, order, _)| (*at, *order));
    events.into_iter().map(|(_, _, line)| line).collect()
}

fn main() {
    let contacts: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let runtime = sopline::plugin::Runtime::new().unwrap();
    let mut catalog = Catalog::default();
    catalog.add(runtime.load_file(&common::property_component()).unwrap());
    let mut rules = rules::load(&common::rules_dir()).unwrap();
    rules.departments.retain(|d| d.id == "property-frontdesk");
    let engine = rules::bind(&rules, &catalog).unwrap();

    let lines = scenario(contacts);
    let mut sim = Simulator::new(engine);
    let started = Instant::now();
    let mut outcomes = 0usize;
    let mut first_rejection = None;
    for line in &lines {
        let out = sim.feed_line(line);
        if first_rejection.is_none() {
            first_rejection =
                out.iter().find(|o| o.body.kind() == "rejected").map(|o| serde_json::to_string(o).unwrap());
        }
        outcomes += out.len();
    }
    let elapsed = started.elapsed();
    let stats = sim.stats;
    assert_eq!(stats.rejected, 0, "every event is accepted; first rejection: {first_rejection:?}");
    println!(
        "simulate: {contacts} contacts, {} events, {outcomes} outcomes, {} timers fired in {:.2} s: {:.0} events/s",
        lines.len(),
        stats.timers_fired,
        elapsed.as_secs_f64(),
        lines.len() as f64 / elapsed.as_secs_f64()
    );
}
