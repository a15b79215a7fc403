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
    let mut c = contact()
        .category(category)
        .state(State::InProgress)
        .agent("a1")
        .field("gender", "男")
        .field("room", "5栋1203")
        .build();
    c.answered_at = Some(at(8));
    c
}

/// The same contact after the owner hung up with the matter open.
pub fn hung_up(category: &str) -> Contact {
    let mut c = call(category);
    c.state = State::Pending;
    c.ended_at = Some(at(5 * MIN));
    c
}

pub fn with_memory(mut c: Contact, key: &str, value: &str) -> Contact {
    c.memory.push((key.into(), value.into()));
    c
}

pub fn with_deadline(mut c: Contact, name: &str, status: DeadlineStatus) -> Contact {
    c.deadlines.push(DeadlineInfo {
        name: name.into(),
        due: at(HOUR),
        status,
    });
    c
}

/// A resolved contact with callback `id` just attempted with `outcome`.
pub fn visited(category: &str, id: &str, outcome: &str) -> Contact {
    let mut c = call(category);
    c.state = State::Resolved;
    c.ended_at = Some(at(5 * MIN));
    c.resolved_at = Some(at(HOUR));
    c.callbacks.push(CallbackInfo {
        id: id.into(),
        due: at(3 * HOUR),
        purpose: "回访".into(),
        attempts: 1,
        status: if outcome == "no_answer" {
            CallbackStatus::Pending
        } else {
            CallbackStatus::Done
        },
        last_outcome: Some(outcome.into()),
    });
    c
}

pub fn attempt(id: &str, outcome: &str) -> Event {
    Event::CallbackAttempted(CallbackAttempted {
        agent: "a2".into(),
        outcome: outcome.into(),
        callback: id.into(),
    })
}

pub fn passed(name: &str) -> Event {
    Event::DeadlinePassed(DeadlinePassed {
        name: name.into(),
        due: at(HOUR),
    })
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

pub fn deadline_after(actions: &[Action], name: &str) -> Option<i64> {
    deadlines(actions)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s)
}

pub fn met(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::MeetDeadline(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

pub fn cancelled(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::CancelDeadline(n) | Action::CancelCallback(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

/// Callbacks scheduled, as (id, seconds from now, purpose).
pub fn callbacks(actions: &[Action]) -> Vec<(String, i64, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::ScheduleCallback(cb) => match cb.due {
                CallbackDue::After(s) => {
                    Some((cb.id.clone(), s.natural_millis() / 1000, cb.purpose.clone()))
                }
                CallbackDue::At(t) => Some((cb.id.clone(), t / 1000, cb.purpose.clone())),
            },
            _ => None,
        })
        .collect()
}

pub fn rewards(actions: &[Action]) -> Vec<(String, String, u32)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Reward(p) => Some((p.agent.clone(), p.rule.clone(), p.points)),
            _ => None,
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

pub fn escalations(actions: &[Action]) -> Vec<(String, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Escalate(e) => Some((e.level.clone(), e.to.clone())),
            _ => None,
        })
        .collect()
}

pub fn notices(actions: &[Action]) -> Vec<(String, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Notify(n) => Some((n.to.clone(), n.text.clone())),
            _ => None,
        })
        .collect()
}

pub fn recorded(actions: &[Action]) -> Vec<(String, String, u32)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::RecordViolation(v) => Some((
                v.agent.clone(),
                v.violation.rule.clone(),
                v.violation.points,
            )),
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

pub fn requirements(actions: &[Action]) -> Vec<(String, Vec<String>, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::RequireFields(r) => Some((r.before.clone(), r.fields.clone(), r.rule.clone())),
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
