//! One job on a batch's copies of its contact: the engine decides, and what
//! it decided becomes log rows and outcomes for the live stream.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use jiff::Timestamp;
use serde_json::Value;

use super::lane::Lane;
use super::{CoreError, Job, OutcomeJson, Published, not_found};
use crate::contact::Contact;
use crate::engine::{Engine, Timer};
use crate::outcome::{Body, Outcome};
use crate::server::store::{Entry, LogRow, TimerKind, TimerRow};

/// A timer that fires later than this after its due time is marked late.
const LATE_MS: i64 = 1_000;

/// One batch in progress.
#[derive(Default)]
pub(super) struct Work {
    /// Contacts the batch touched: the copy being changed, the committed
    /// copy it started from, and the version that was read.
    pub(super) touched: HashMap<String, Touched>,
    pub(super) order: Vec<String>,
    pub(super) log: Vec<LogRow>,
    pub(super) fired: Vec<TimerRow>,
    pub(super) published: Vec<Published>,
    /// Seconds between due and fired, per timer fired (observed once committed).
    pub(super) lags: Vec<f64>,
}

pub(super) struct Touched {
    pub(super) now: Contact,
    pub(super) before: Option<Contact>,
    pub(super) version: i64,
}

impl Lane {
    /// Runs one job on the batch's copies of its contact.
    pub(super) fn job(&mut self, job: &Job, work: &mut Work) -> Result<OutcomeJson, CoreError> {
        let now = Timestamp::now();
        match job {
            Job::Open { id, opened, raw, generated, actor } => {
                // `prefetch` cached it if it exists, in whichever department.
                if work.touched.contains_key(id) || (!generated && self.cache.contains_key(id)) {
                    if self.cache.get(id).is_some_and(|(c, _)| c.department != self.department) {
                        self.cache.remove(id);
                    }
                    return Err(CoreError::Conflict(format!(
                        "the contact id `{id}` is taken; leave `id` out to get a new one"
                    )));
                }
                let started = Instant::now();
                let (contact, outcomes) = self.engine.open(id, opened, now).map_err(CoreError::Rejected)?;
                self.cx.metrics.plugin_seconds.observe(started.elapsed().as_secs_f64());
                work.order.push(id.clone());
                work.touched.insert(id.clone(), Touched { now: contact, before: None, version: 0 });
                work.log.push(event_row(id, now, "opened", raw, actor));
                Ok(self.outcomes(work, outcomes, None, Some(actor)))
            }
            Job::Event { contact: id, event, raw, actor } => {
                self.touch(work, id)?;
                let mut out = self.catch_up(work, id, now);
                let touched = work.touched.get_mut(id).expect("touched above");
                let started = Instant::now();
                let outcomes = self.engine.handle(&mut touched.now, event, now).map_err(CoreError::Rejected)?;
                self.cx.metrics.plugin_seconds.observe(started.elapsed().as_secs_f64());
                work.log.push(event_row(id, now, event.kind(), raw, actor));
                out.extend(self.outcomes(work, outcomes, None, Some(actor)));
                Ok(out)
            }
            Job::Fire(timer) => {
                work.fired.push(timer.clone());
                if self.touch(work, &timer.contact_id).is_err() {
                    return Ok(Vec::new());
                }
                let which = match timer.kind {
                    TimerKind::Deadline => Timer::Deadline(timer.name.clone()),
                    TimerKind::Callback => Timer::Callback(timer.name.clone()),
                };
                // The row keeps whole milliseconds; the contact keeps the exact
                // instant, which the engine needs to recognise the timer.
                let exact = Engine::timers(&work.touched[&timer.contact_id].now)
                    .find(|(at, t)| *t == which && at.as_millisecond() == timer.due)
                    .map(|(at, _)| at);
                let Some(due) = exact else { return Ok(Vec::new()) };
                Ok(self.fire(work, &timer.contact_id, &which, due, now))
            }
            Job::Migrate { contact: id, actor } => {
                self.touch(work, id)?;
                let touched = work.touched.get_mut(id).expect("touched above");
                let from = touched.now.plugin.clone();
                self.engine.migrate(&mut touched.now).map_err(CoreError::Rejected)?;
                let to = touched.now.plugin.clone();
                let body = serde_json::json!({
                    "type": "migrated", "contact": id, "at": now.to_string(), "by": actor,
                    "from": from, "to": to,
                });
                work.log.push(event_row(id, now, "migrated", &body, actor));
                Ok(Vec::new())
            }
        }
    }

    /// Fires the contact's timers that fell due before `now` (the scheduler
    /// may be a moment behind), so an event never overtakes a deadline.
    fn catch_up(&mut self, work: &mut Work, id: &str, now: Timestamp) -> OutcomeJson {
        let contact = &work.touched[id].now;
        let mut due: Vec<(Timestamp, Timer)> = Engine::timers(contact).filter(|(at, _)| *at <= now).collect();
        due.sort();
        let mut out = Vec::new();
        for (at, timer) in due {
            out.extend(self.fire(work, id, &timer, at, now));
        }
        out
    }

    fn fire(&mut self, work: &mut Work, id: &str, timer: &Timer, due: Timestamp, now: Timestamp) -> OutcomeJson {
        let touched = work.touched.get_mut(id).expect("touched before firing");
        let outcomes = self.engine.fire(&mut touched.now, timer, due);
        if outcomes.is_empty() {
            return Vec::new();
        }
        let lag = now.as_millisecond() - due.as_millisecond();
        work.lags.push(lag.max(0) as f64 / 1000.0);
        let (kind, name) = match timer {
            Timer::Deadline(n) => (TimerKind::Deadline, n),
            Timer::Callback(n) => (TimerKind::Callback, n),
        };
        let late = lag > LATE_MS;
        let body = serde_json::json!({
            "type": "timer", "contact": id, "timer": kind.as_str(), "name": name,
            "due": due.to_string(), "fired_at": now.to_string(), "late": late,
        });
        work.log.push(LogRow {
            contact_id: id.to_string(),
            at: now.as_millisecond(),
            entry: Entry::Timer,
            kind: kind.as_str().to_string(),
            agent: None,
            points: None,
            body: body.to_string(),
            actor: None,
        });
        self.outcomes(work, outcomes, late.then_some(now), None)
    }

    /// Copies a contact into the batch (once) from the cache or the database.
    fn touch(&mut self, work: &mut Work, id: &str) -> Result<(), CoreError> {
        if work.touched.contains_key(id) {
            return Ok(());
        }
        let (contact, version) = self.load(id)?.ok_or_else(|| not_found(id))?;
        if contact.department != self.department {
            // Routing sends a contact only to its own department's lane.
            return Err(not_found(id));
        }
        work.order.push(id.to_string());
        work.touched.insert(id.to_string(), Touched { before: Some(contact.clone()), now: contact, version });
        Ok(())
    }

    /// Logs and publishes outcomes; returns them as JSON for the reply.
    fn outcomes(
        &self,
        work: &mut Work,
        outcomes: Vec<Outcome>,
        late: Option<Timestamp>,
        actor: Option<&str>,
    ) -> OutcomeJson {
        let mut out = Vec::with_capacity(outcomes.len());
        for outcome in outcomes {
            let (agent, points) = match &outcome.body {
                Body::Penalty { agent, points, .. } => (Some(agent.clone()), Some(-i64::from(*points))),
                Body::Reward { agent, points, .. } => (Some(agent.clone()), Some(i64::from(*points))),
                Body::Violation { agent, .. } => (Some(agent.clone()), None),
                _ => (None, None),
            };
            let json: Arc<str> = match late {
                None => serde_json::to_string(&outcome).expect("outcomes serialize").into(),
                Some(fired) => {
                    let mut value = serde_json::to_value(&outcome).expect("outcomes serialize");
                    value["late"] = true.into();
                    value["fired_at"] = fired.to_string().into();
                    value.to_string().into()
                }
            };
            work.log.push(LogRow {
                contact_id: outcome.contact.clone(),
                at: outcome.at.timestamp().as_millisecond(),
                entry: Entry::Outcome,
                kind: outcome.body.kind().to_string(),
                agent,
                points,
                body: json.to_string(),
                actor: actor.map(str::to_string),
            });
            work.published.push(Published {
                department: self.department.clone(),
                contact: outcome.contact,
                json: json.clone(),
            });
            out.push(json);
        }
        out
    }
}

/// The log row of an accepted event: as it was sent, with its contact and time.
fn event_row(contact: &str, at: Timestamp, kind: &str, raw: &Value, actor: &str) -> LogRow {
    let mut body = raw.clone();
    if let Value::Object(map) = &mut body {
        map.insert("contact".into(), contact.into());
        map.insert("at".into(), at.to_string().into());
        map.entry("type").or_insert_with(|| kind.into());
    }
    let agent = raw.get("agent").and_then(Value::as_str).map(str::to_string);
    LogRow {
        contact_id: contact.to_string(),
        at: at.as_millisecond(),
        entry: Entry::Event,
        kind: kind.to_string(),
        agent,
        points: None,
        body: body.to_string(),
        actor: Some(actor.to_string()),
    }
}
