//! `on-event` through the host (canonical ABI, sandbox, validation) against
//! the same plugin logic compiled natively and called directly.
//!
//! The contact is a realistic complaint after the call ended: customer,
//! fields, two running deadlines; the event is the hand-off to the
//! engineering department, which meets one deadline and sets two more.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use sopline::contact::{Contact, PluginRef};
use sopline::engine::convert;
use sopline::event::{Channel, Customer, Event, Opened};
use sopline::lifecycle::State;
use sopline::plugin::{Runtime, wit};
use sopline_plugin_property::Property;
use sopline_sdk::testing::{self, Harness};

fn host_contact(now: Timestamp) -> Contact {
    let opened = Opened {
        department: "property-frontdesk".into(),
        channel: Channel::Phone,
        category: "complaint".into(),
        customer: Customer {
            id: "owner-7".into(),
            name: "王小明".into(),
            phone: "13800000000".into(),
            ..Default::default()
        },
        fields: [("room".to_string(), "5栋1203".to_string())].into(),
    };
    let plugin = PluginRef { id: "property".into(), version: "0.1.0".into(), binding: 1 };
    let mut c = Contact::open("c1".into(), &opened, plugin, now);
    c.record(&Event::Answered { agent: "a1".into(), rings: Some(2) }, State::InProgress, now);
    c.record(&Event::Ended { agent: Some("a1".into()) }, State::Pending, now);
    for (name, minutes) in [("notify-department", 10), ("return-visit", 24 * 60)] {
        c.deadlines.push(sopline::contact::Deadline {
            name: name.into(),
            due: now + jiff::SignedDuration::from_mins(minutes),
            status: sopline::contact::DeadlineStatus::Pending,
        });
    }
    c
}

fn sdk_contact(now_ms: i64) -> sopline_sdk::Contact {
    testing::contact()
        .category("complaint")
        .state(sopline_sdk::State::Pending)
        .agent("a1")
        .field("room", "5栋1203")
        .deadline("notify-department", now_ms + 600_000, sopline_sdk::DeadlineStatus::Pending)
        .deadline("return-visit", now_ms + 86_400_000, sopline_sdk::DeadlineStatus::Pending)
        .build()
}

fn bench(c: &mut Criterion) {
    let now: Timestamp = "2026-03-02T09:10:00+08:00".parse().unwrap();
    let now_ms = now.as_millisecond();

    let runtime = Runtime::new().unwrap();
    let plugin = runtime.load_file(&common::property_component()).unwrap();
    let mut instance = plugin.instantiate(Vec::new()).unwrap();
    let contact = convert::contact(&host_contact(now));
    let event = convert::event(&Event::HandedOff { agent: "a1".into(), to: "工程部".into() }, None);
    assert!(!instance.on_event(&contact, &event, now_ms).unwrap().is_empty(), "the plugin decides something");

    let harness = Harness::<Property>::new();
    let native_contact = sdk_contact(now_ms);
    let native_event =
        sopline_sdk::Event::HandedOff(sopline_sdk::HandedOff { agent: "a1".into(), to: "工程部".into() });
    assert!(!harness.on(&native_contact, native_event.clone(), now_ms).is_empty());

    let mut group = c.benchmark_group("on_event");
    group.bench_function("host (wasm component)", |b| {
        b.iter(|| instance.on_event(std::hint::black_box(&contact), &event, now_ms).unwrap())
    });
    group.bench_function("native (same logic, direct call)", |b| {
        b.iter(|| harness.on(std::hint::black_box(&native_contact), native_event.clone(), now_ms))
    });
    let violation = "你去找别人吧,这不归我管";
    group.bench_function("check_utterance host", |b| {
        b.iter(|| instance.check_utterance(&contact, wit::Speaker::Agent, std::hint::black_box(violation)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
