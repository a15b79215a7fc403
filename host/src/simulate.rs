//! `sopline simulate`: the engine on a virtual clock. No server, no
//! database: a scenario's events are fed in time order and every deadline or
//! callback that falls due on the way fires at its own due time.
//!
//! Deterministic by construction: contacts live in ordered maps, timers are
//! ordered by (due time, the order they were set), and nothing reads the
//! real clock. The same scenario gives byte-identical output.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, Write};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::contact::Contact;
use crate::engine::{Engine, Timer};
use crate::event::{Envelope, Event};
use crate::outcome::{Body, Outcome};

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub events: u64,
    pub rejected: u64,
    pub timers_fired: u64,
    pub outcomes: u64,
}

pub struct Simulator {
    engine: Engine,
    contacts: HashMap<String, Contact>,
    /// (due, sequence, contact, timer): fired in this order.
    timers: BTreeSet<(Timestamp, u64, String, Timer)>,
    seq: u64,
    now: Option<Timestamp>,
    zone: TimeZone,
    pub stats: Stats,
}

impl Simulator {
    pub fn new(engine: Engine) -> Simulator {
        let zone = engine.departments().next().map_or(TimeZone::UTC, |d| d.calendar.zone().clone());
        Simulator {
            engine,
            contacts: HashMap::new(),
            timers: BTreeSet::new(),
            seq: 0,
            now: None,
            zone,
            stats: Stats::default(),
        }
    }

    /// A contact as it stands now.
    pub fn contact(&self, id: &str) -> Option<&Contact> {
        self.contacts.get(id)
    }

    /// Feeds one line of a scenario file. Blank lines and `#`/`//` comments yield nothing.
    pub fn feed_line(&mut self, line: &str) -> Vec<Outcome> {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("//") {
            return Vec::new();
        }
        let value: serde_json::Value = match serde_json::from_str(trimmed) {
            Ok(v) => v,
            Err(e) => return vec![self.reject(None, "?", format!("not valid JSON: {e}"), None)],
        };
        let kind = value.get("type").and_then(|t| t.as_str()).unwrap_or("?").to_string();
        let contact = value.get("contact").and_then(|c| c.as_str()).map(str::to_string);
        match Envelope::parse(value) {
            Ok(envelope) => self.feed(envelope),
            Err(e) => vec![self.reject(contact.as_deref(), &kind, e, None)],
        }
    }

    /// Feeds one event: first every timer due up to its time, then the event.
    pub fn feed(&mut self, envelope: Envelope) -> Vec<Outcome> {
        self.stats.events += 1;
        let kind = envelope.event.as_ref().map_or("tick", Event::kind).to_string();
        let contact_id = envelope.contact.clone();
        let Some(at) = envelope.at else {
            return vec![self.reject(contact_id.as_deref(), &kind, "a scenario event needs `at`".into(), None)];
        };
        if let Some(now) = self.now.filter(|now| at < *now) {
            let error = format!("events must be in time order: {at} is before {now}");
            return vec![self.reject(contact_id.as_deref(), &kind, error, Some(at))];
        }
        let mut out = self.advance(at);
        let Some(event) = envelope.event else { return out };
        let Some(id) = contact_id else {
            out.push(self.reject(None, &kind, "missing `contact` (the contact's id)".into(), Some(at)));
            return out;
        };
        let result = match &event {
            Event::Opened(_) if self.contacts.contains_key(&id) => Err(format!("contact {id} is already open")),
            Event::Opened(opened) => self.engine.open(&id, opened, at).map(|(contact, outcomes)| {
                self.contacts.insert(id.clone(), contact);
                outcomes
            }),
            _ => match self.contacts.get_mut(&id) {
                None => Err(format!("unknown contact {id}: open it first with an `opened` event")),
                Some(contact) => self.engine.handle(contact, &event, at),
            },
        };
        match result {
            Ok(outcomes) => {
                self.register(&id, &outcomes);
                out.extend(outcomes);
            }
            Err(error) => out.push(self.reject(Some(&id), &kind, error, Some(at))),
        }
        self.stats.outcomes += out.len() as u64;
        out
    }

    /// Moves the clock to `to`, firing every timer due on the way, in order.
    pub fn advance(&mut self, to: Timestamp) -> Vec<Outcome> {
        let mut out = Vec::new();
        while let Some(first) = self.timers.first().filter(|(due, ..)| *due <= to) {
            let (due, _, contact_id, timer) = first.clone();
            self.timers.pop_first();
            self.now = Some(due);
            let Some(contact) = self.contacts.get_mut(&contact_id) else { continue };
            let outcomes = self.engine.fire(contact, &timer, due);
            if !outcomes.is_empty() {
                self.stats.timers_fired += 1;
            }
            self.register(&contact_id, &outcomes);
            out.extend(outcomes);
        }
        self.now = Some(self.now.map_or(to, |now| now.max(to)));
        out
    }

    /// Remembers the timers an engine call set; stale ones are skipped when fired.
    fn register(&mut self, contact: &str, outcomes: &[Outcome]) {
        for o in outcomes {
            let timer = match &o.body {
                Body::DeadlineSet { name, due } => (due.timestamp(), Timer::Deadline(name.clone())),
                Body::CallbackScheduled { id, due, .. } => (due.timestamp(), Timer::Callback(id.clone())),
                _ => continue,
            };
            self.seq += 1;
            self.timers.insert((timer.0, self.seq, contact.to_string(), timer.1));
        }
    }

    fn reject(&mut self, contact: Option<&str>, kind: &str, error: String, at: Option<Timestamp>) -> Outcome {
        self.stats.rejected += 1;
        let zone = contact
            .and_then(|id| self.contacts.get(id))
            .and_then(|c| self.engine.department(&c.department))
            .map_or_else(|| self.zone.clone(), |d| d.calendar.zone().clone());
        let at = at.or(self.now).unwrap_or(Timestamp::UNIX_EPOCH);
        Outcome {
            at: at.to_zoned(zone),
            contact: contact.unwrap_or_default().to_string(),
            body: Body::Rejected { event: kind.to_string(), error },
        }
    }
}

/// Runs a whole scenario, writing outcomes as JSON lines.
pub fn run(engine: Engine, input: impl BufRead, mut out: impl Write) -> anyhow::Result<Stats> {
    let mut sim = Simulator::new(engine);
    for line in input.lines() {
        for outcome in sim.feed_line(&line?) {
            serde_json::to_writer(&mut out, &outcome)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(sim.stats)
}
