//! Return visits (sections 3 and 4, and 2.i/5.i): the first visit after the
//! service, calling again when nobody answers, relaying a problem and
//! following it up, rewarding a satisfied owner, and the second and third
//! visits on the cadence.
//!
//! A callback's id says what it is (`visit-1`, `visit-2`, `follow-up`,
//! `missed-call`, with `-retry` for a second try and `-2`, `-3` when the same
//! id was used before), so the plugin needs no state of its own.

use sopline_sdk::prelude::*;

use crate::config::Config;
use crate::flows::deadline::{FOLLOW_UP, RELAY_PROBLEM, RETURN_VISIT};
use crate::rules::visit;
use crate::{memory, scripts};

/// What a callback is for, from its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The n-th return visit on the cadence (1, 2, 3).
    Visit(u32),
    /// The visit about a problem an unsatisfied owner raised (3.h).
    FollowUp,
    /// Calling back an owner whose call nobody answered.
    MissedCall,
    /// Not one of ours.
    Other,
}

/// The kind of the callback with this id.
pub fn kind(id: &str) -> Kind {
    if let Some(rest) = id.strip_prefix("visit-") {
        return rest.chars().next().and_then(|d| d.to_digit(10)).map_or(Kind::Other, Kind::Visit);
    }
    if id.starts_with("follow-up") {
        Kind::FollowUp
    } else if id.starts_with("missed-call") {
        Kind::MissedCall
    } else {
        Kind::Other
    }
}

/// `base` if no callback has that id yet, else `base-2`, `base-3`, …
pub fn fresh_id(c: &Contact, base: &str) -> String {
    if c.callback(base).is_none() {
        return base.to_string();
    }
    (2..).map(|n| format!("{base}-{n}")).find(|id| c.callback(id).is_none()).expect("an unused id")
}

/// 2.i / 5.i / 3.a: after the service, the first return visit and its limit.
pub fn first_visit(config: &Config, c: &Contact) -> Vec<Action> {
    let id = fresh_id(c, "visit-1");
    vec![
        act::callback(&id, config.visit_after, "第一次回访:询问对服务的满意情况"),
        act::deadline(RETURN_VISIT, config.return_visit_within),
    ]
}

/// A return-visit attempt and its outcome.
pub fn attempted(config: &Config, c: &Contact, a: &CallbackAttempted) -> Vec<Action> {
    let Some(cb) = attempted_callback(c, a) else {
        return Vec::new();
    };
    let kind = kind(&cb.id);
    let mut actions = Vec::new();
    // The visit was made in time whatever the owner said (3.b: no answer is
    // not the agent's fault; the retry follows).
    match kind {
        Kind::Visit(1) => actions.push(act::meet(RETURN_VISIT)),
        Kind::FollowUp => actions.push(act::meet(FOLLOW_UP)),
        _ => {}
    }
    match a.outcome.as_str() {
        "no_answer" => actions.extend(no_answer(config, c, cb)),
        "satisfied" | "reached" if kind != Kind::MissedCall && kind != Kind::Other => {
            if a.outcome == "satisfied" {
                let why = "回访业主对服务满意";
                let owner = if c.owner().is_empty() { a.agent.as_str() } else { c.owner() };
                actions.push(act::reward(owner, config.satisfied_reward, visit::SATISFIED, why));
            }
            actions.extend(next_on_cadence(config, c));
        }
        "unsatisfied" if kind != Kind::MissedCall => actions.extend(unsatisfied(config, c, kind)),
        _ => {}
    }
    actions
}

/// The callback the attempt was about: the one named, else the latest due
/// one that carries this outcome (the host picked the earliest pending one).
fn attempted_callback<'c>(c: &'c Contact, a: &CallbackAttempted) -> Option<&'c CallbackInfo> {
    if !a.callback.is_empty() {
        return c.callback(&a.callback);
    }
    c.callbacks
        .iter()
        .filter(|cb| cb.attempts > 0 && cb.last_outcome.as_deref() == Some(a.outcome.as_str()))
        .max_by_key(|cb| cb.due)
}

/// 3.b: 无人则下次再打 — a new callback later, up to `visit_attempts` tries.
fn no_answer(config: &Config, c: &Contact, cb: &CallbackInfo) -> Vec<Action> {
    let base = cb.id.split("-retry").next().unwrap_or(&cb.id);
    let retry_prefix = format!("{base}-retry");
    let tries: u32 =
        c.callbacks.iter().filter(|x| x.id == base || x.id.starts_with(&retry_prefix)).map(|x| x.attempts).sum();
    let mut actions = vec![act::cancel_callback(&cb.id)];
    if tries >= config.visit_attempts {
        let why = format!("回访已拨打{tries}次无人接听,请主管安排");
        actions.push(act::escalate("supervisor", &config.supervisor, &why));
        return actions;
    }
    let id = fresh_id(c, &retry_prefix);
    actions.push(act::callback(&id, config.no_answer_retry, &format!("{}(无人接听,再次回访)", cb.purpose)));
    actions.push(scripts::show(config, "no-answer", c));
    actions
}

/// 3.e / 3.h: relay the problem within the hour and follow it up.
fn unsatisfied(config: &Config, c: &Contact, kind: Kind) -> Vec<Action> {
    let mut actions = vec![
        act::deadline(RELAY_PROBLEM, config.relay_problem),
        act::callback(&fresh_id(c, "follow-up"), config.visit_after, "回访问题解决情况"),
        act::deadline(FOLLOW_UP, config.follow_up_within),
        scripts::show(config, "comfort", c),
    ];
    if kind == Kind::FollowUp {
        let why = "业主在跟进回访中仍不满意";
        actions.push(act::escalate("supervisor", &config.supervisor, why));
    }
    actions
}

/// 4.d–4.f: schedule the next visit on the cadence and tell the owner when.
fn next_on_cadence(config: &Config, c: &Contact) -> Vec<Action> {
    let done = c
        .callbacks
        .iter()
        .filter_map(|cb| match kind(&cb.id) {
            Kind::Visit(n) if cb.status == CallbackStatus::Done => Some(n),
            _ => None,
        })
        .max()
        .unwrap_or(1);
    let next = done + 1;
    if next > config.visits
        || c.callbacks.iter().any(|cb| kind(&cb.id) == Kind::Visit(next) && cb.status == CallbackStatus::Pending)
    {
        return vec![scripts::show(config, "closing", c)];
    }
    let (after, purpose) = if next == 2 {
        (config.second_visit_after, "第二次回访:询问使用情况和满意情况")
    } else {
        (config.third_visit_after, "第三次回访:询问使用情况和满意情况")
    };
    let when = scripts::zh(&after);
    let mut known = c.clone();
    known.memory.retain(|(k, _)| k != memory::NEXT_VISIT);
    known.memory.push((memory::NEXT_VISIT.into(), when.clone()));
    vec![
        act::callback(&fresh_id(c, &format!("visit-{next}")), after, purpose),
        act::remember(memory::NEXT_VISIT, &when),
        scripts::show(config, "next-visit", &known),
    ]
}

/// A callback fell due: put the right words in front of the agent.
pub fn due(config: &Config, c: &Contact, cb: &CallbackInfo) -> Vec<Action> {
    match kind(&cb.id) {
        Kind::Visit(_) => vec![scripts::show(config, "return-visit", c)],
        Kind::FollowUp => vec![scripts::show(config, "follow-up", c)],
        _ => Vec::new(),
    }
}

/// A repeat complaint reopens the matter: the visits planned no longer apply.
pub fn cancel_pending(c: &Contact) -> Vec<Action> {
    let mut actions: Vec<Action> =
        [RETURN_VISIT, FOLLOW_UP, RELAY_PROBLEM].into_iter().filter(|d| c.is_pending(d)).map(act::cancel).collect();
    for cb in &c.callbacks {
        if cb.status == CallbackStatus::Pending && matches!(kind(&cb.id), Kind::Visit(_) | Kind::FollowUp) {
            actions.push(act::cancel_callback(&cb.id));
        }
    }
    actions
}

/// Missed limits of the visit rules (3.e, 3.h).
pub fn deadline_passed(config: &Config, c: &Contact, name: &str) -> Vec<Action> {
    let (rule, why) = match name {
        RELAY_PROBLEM => (visit::RELAY, "回访中的问题未在规定时间内转达相关部门"),
        FOLLOW_UP => (visit::FOLLOW_UP, "未在规定时间内回访问题解决情况"),
        _ => return Vec::new(),
    };
    vec![act::penalize(c.owner(), config.late_points, rule, why)]
}
