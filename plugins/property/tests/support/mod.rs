//! Shared helpers for the plugin's native tests.
#![allow(dead_code)]

pub use sopline_plugin_property::Property;
pub use sopline_sdk::prelude::*;
pub use sopline_sdk::testing::*;

pub const MIN: i64 = 60;
pub const HOUR: i64 = 3600;

pub fn plugin() -> Harness<Property> {
    Harness::new()
}

/// A phone contact of `category`, answered by a1 at 8 s, owner 王先生 of 5栋1203.
pub fn call(category: &str) -> Contact {
    calling(category).build()
}

fn calling(category: &str) -> ContactBuilder {
    contact()
        .category(category)
        .state(State::InProgress)
        .agent("a1")
        .field("gender", "男")
        .field("room", "5栋1203")
        .answered_at(at(8))
}

/// The same contact after the owner hung up with the matter open.
pub fn hung_up(category: &str) -> Contact {
    calling(category).state(State::Pending).ended_at(at(5 * MIN)).build()
}

pub fn with_memory(mut c: Contact, key: &str, value: &str) -> Contact {
    c.memory.push((key.into(), value.into()));
    c
}

pub fn with_deadline(mut c: Contact, name: &str, status: DeadlineStatus) -> Contact {
    c.deadlines.push(DeadlineInfo { name: name.into(), due: at(HOUR), status });
    c
}

/// A resolved contact with callback `id` just attempted with `outcome`.
pub fn visited(category: &str, id: &str, outcome: &str) -> Contact {
    let status = if outcome == "no_answer" { CallbackStatus::Pending } else { CallbackStatus::Done };
    calling(category)
        .state(State::Resolved)
        .ended_at(at(5 * MIN))
        .resolved_at(at(HOUR))
        .callback(id, at(3 * HOUR), "回访")
        .callback_attempted(id, 1, Some(outcome), status)
        .build()
}

pub fn attempt(id: &str, outcome: &str) -> Event {
    Event::CallbackAttempted(CallbackAttempted { agent: "a2".into(), outcome: outcome.into(), callback: id.into() })
}

pub fn passed(name: &str) -> Event {
    Event::DeadlinePassed(DeadlinePassed { name: name.into(), due: at(HOUR) })
}

/// The deadlines set, as (name, seconds in natural time).
pub fn deadlines(actions: &[Action]) -> Vec<(String, i64)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::SetDeadline(d) => Some((d.name.clone(), d.after.natural_millis() / 1000)),
            _ => None,
        })
        .collect()
}

/// How long after, in seconds of natural time, the deadline `name` was set.
pub fn deadline_after(actions: &[Action], name: &str) -> Option<i64> {
    deadline(actions, name).map(|d| d.after.natural_millis() / 1000)
}

/// Callbacks scheduled, as (id, seconds from now, purpose); a callback at a
/// fixed time gives that time in seconds.
pub fn scheduled(actions: &[Action]) -> Vec<(String, i64, String)> {
    callbacks(actions)
        .into_iter()
        .map(|cb| {
            let seconds = match cb.due {
                CallbackDue::After(s) => s.natural_millis() / 1000,
                CallbackDue::At(t) => t / 1000,
            };
            (cb.id, seconds, cb.purpose)
        })
        .collect()
}

pub fn penalized_agents(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Penalize(p) => Some(p.agent.clone()),
            _ => None,
        })
        .collect()
}

pub fn remembered(actions: &[Action]) -> Vec<(String, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Remember((k, v)) => Some((k.clone(), v.clone())),
            _ => None,
        })
        .collect()
}

pub fn scene_names(actions: &[Action]) -> Vec<String> {
    scripts(actions).into_iter().map(|(s, _)| s).collect()
}

pub fn script_text(actions: &[Action], scene: &str) -> String {
    scripts(actions)
        .into_iter()
        .find(|(s, _)| s == scene)
        .map(|(_, t)| t)
        .unwrap_or_else(|| panic!("no {scene} script"))
}

pub fn pen(rule: &str, points: u32) -> Vec<(String, u32)> {
    vec![(rule.to_string(), points)]
}
