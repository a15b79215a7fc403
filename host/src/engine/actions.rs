//! Carries out a plugin's actions on a contact, producing outcomes.
//!
//! The runtime already checked each action's shape (lengths, counts,
//! ranges); here the host checks what only it can know (calendar names) and
//! applies all or nothing, so a bad decision never half-changes a contact.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use crate::calendar::Calendar;
use crate::contact::{Callback, CallbackStatus, Contact, Deadline, DeadlineStatus, Requirement};
use crate::outcome::Body;
use crate::plugin::wit;

/// What actions need to know beyond the contact.
pub struct Context<'a> {
    pub now: Timestamp,
    /// The department's calendar.
    pub calendar: &'a Arc<Calendar>,
    /// Every calendar in the rules, for `clock: calendar(NAME)`.
    pub calendars: &'a BTreeMap<String, Arc<Calendar>>,
}

/// Applies `actions` in order. On error nothing was changed.
pub fn apply(contact: &mut Contact, actions: Vec<wit::Action>, cx: &Context) -> Result<Vec<Body>, String> {
    // Resolve every time first: the only step that can fail.
    let mut times = Vec::with_capacity(actions.len());
    for action in &actions {
        times.push(match action {
            wit::Action::SetDeadline(d) => Some(due(cx, &d.after, &d.clock)?),
            wit::Action::ScheduleCallback(cb) => Some(match &cb.due {
                wit::CallbackDue::After(span) => due(cx, span, &wit::Clock::Natural)?,
                wit::CallbackDue::At(ms) => {
                    Timestamp::from_millisecond(*ms).map_err(|e| format!("callback `{}`: {e}", cb.id))?
                }
            }),
            _ => None,
        });
    }
    let mut out = Vec::new();
    for (action, time) in actions.into_iter().zip(times) {
        apply_one(contact, action, time, cx, &mut out);
    }
    Ok(out)
}

fn apply_one(contact: &mut Contact, action: wit::Action, time: Option<Timestamp>, cx: &Context, out: &mut Vec<Body>) {
    let zoned = |t: Timestamp| t.to_zoned(cx.calendar.zone().clone());
    match action {
        wit::Action::SetDeadline(d) => {
            let due = time.expect("resolved above");
            match contact.pending_deadline(&d.name) {
                Some(existing) => existing.due = due,
                None => contact.deadlines.push(Deadline { name: d.name.clone(), due, status: DeadlineStatus::Pending }),
            }
            out.push(Body::DeadlineSet { name: d.name, due: zoned(due) });
        }
        wit::Action::MeetDeadline(name) => settle(contact, &name, DeadlineStatus::Met, out),
        wit::Action::CancelDeadline(name) => settle(contact, &name, DeadlineStatus::Cancelled, out),
        wit::Action::Escalate(e) => out.push(Body::Escalated { level: e.level, to: e.to, reason: e.reason }),
        wit::Action::ScheduleCallback(cb) => {
            let due = time.expect("resolved above");
            let id = if cb.id.is_empty() { format!("cb-{}", contact.callbacks.len() + 1) } else { cb.id };
            let fresh = Callback {
                id: id.clone(),
                due,
                purpose: cb.purpose.clone(),
                attempts: 0,
                status: CallbackStatus::Pending,
                last_outcome: None,
                due_fired: false,
            };
            match contact.callbacks.iter_mut().find(|c| c.id == id) {
                Some(existing) => {
                    // Rescheduling keeps the history of attempts.
                    existing.due = due;
                    existing.purpose = fresh.purpose;
                    existing.status = CallbackStatus::Pending;
                    existing.due_fired = false;
                }
                None => contact.callbacks.push(fresh),
            }
            out.push(Body::CallbackScheduled { id, due: zoned(due), purpose: cb.purpose });
        }
        wit::Action::CancelCallback(id) => {
            if let Some(cb) = contact.callbacks.iter_mut().find(|c| c.id == id && c.status == CallbackStatus::Pending) {
                cb.status = CallbackStatus::Done;
                out.push(Body::CallbackCancelled { id });
            }
        }
        wit::Action::Penalize(p) => out.push(Body::Penalty {
            agent: agent_or_owner(contact, p.agent),
            points: p.points,
            rule: p.rule,
            reason: p.reason,
        }),
        wit::Action::Reward(p) => out.push(Body::Reward {
            agent: agent_or_owner(contact, p.agent),
            points: p.points,
            rule: p.rule,
            reason: p.reason,
        }),
        wit::Action::RequireFields(r) => {
            contact.requirements.retain(|x| !(x.before == r.before && x.rule == r.rule));
            contact.requirements.push(Requirement {
                before: r.before.clone(),
                fields: r.fields.clone(),
                rule: r.rule.clone(),
            });
            out.push(Body::FieldsRequired { before: r.before, fields: r.fields, rule: r.rule });
        }
        wit::Action::ShowScript(s) => out.push(Body::Script { scene: s.scene, text: s.text }),
        wit::Action::Notify(n) => out.push(Body::Notify { to: n.to, text: n.text }),
        wit::Action::RecordViolation(v) => {
            let agent = agent_or_owner(contact, v.agent);
            violation(agent, v.violation, out);
        }
        wit::Action::Remember((key, value)) => {
            contact.memory.insert(key, value);
        }
    }
}

/// A violation outcome, and the penalty it carries.
pub fn violation(agent: String, v: wit::Violation, out: &mut Vec<Body>) {
    let penalty = (v.points > 0).then(|| Body::Penalty {
        agent: agent.clone(),
        points: v.points,
        rule: v.rule.clone(),
        reason: v.reason.clone(),
    });
    out.push(Body::Violation { agent, rule: v.rule, excerpt: v.excerpt, reason: v.reason, suggestion: v.suggestion });
    out.extend(penalty);
}

fn settle(contact: &mut Contact, name: &str, status: DeadlineStatus, out: &mut Vec<Body>) {
    if let Some(d) = contact.pending_deadline(name) {
        d.status = status;
        out.push(match status {
            DeadlineStatus::Met => Body::DeadlineMet { name: name.to_string() },
            _ => Body::DeadlineCancelled { name: name.to_string() },
        });
    }
}

fn agent_or_owner(contact: &Contact, agent: String) -> String {
    if !agent.is_empty() {
        return agent;
    }
    contact.agent.clone().unwrap_or_else(|| "unassigned".to_string())
}

/// When a span started now ends on a clock.
fn due(cx: &Context, span: &wit::Span, clock: &wit::Clock) -> Result<Timestamp, String> {
    let calendar = match clock {
        wit::Clock::Natural => {
            let secs = i64::from(span.days) * 86_400 + i64::from(span.seconds);
            return cx.now.checked_add(SignedDuration::from_secs(secs)).map_err(|e| e.to_string());
        }
        wit::Clock::Business => cx.calendar,
        wit::Clock::Calendar(name) => cx.calendars.get(name).ok_or_else(|| {
            let known: Vec<&str> = cx.calendars.keys().map(String::as_str).collect();
            format!(
                "a deadline names the calendar `{name}`, which the rules do not define (known: {})",
                known.join(", ")
            )
        })?,
    };
    let span = sopline_sdk::Span { days: span.days, seconds: span.seconds };
    calendar.add_business(cx.now, span).map_err(|e| e.to_string())
}
