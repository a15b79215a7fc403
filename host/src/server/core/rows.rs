//! What a batch writes: each changed contact, its timers (set, moved or
//! settled) and callbacks, worked out by comparing each contact with the
//! copy the batch started from.

use std::collections::HashMap;

use jiff::Timestamp;

use super::run::Work;
use crate::contact::{CallbackStatus, Contact};
use crate::engine::{Engine, Timer};
use crate::server::store::{Batch, CallbackRow, TimerKey, TimerKind, TimerRow};

/// A contact as a batch leaves it: id, contact, the version it will have.
pub(super) type Fresh = (String, Contact, i64);

impl Work {
    /// Turns the batch into rows, and the contacts it changed as they will
    /// be once it commits.
    pub(super) fn finish(&mut self) -> (Batch, Vec<Fresh>) {
        let mut batch = Batch {
            log: std::mem::take(&mut self.log),
            timers_fired: std::mem::take(&mut self.fired),
            ..Batch::default()
        };
        let mut fresh = Vec::new();
        for id in &self.order {
            let t = &self.touched[id];
            if t.before.as_ref() == Some(&t.now) {
                continue;
            }
            let before: HashMap<(TimerKind, String), Timestamp> = t.before.as_ref().map(timers).unwrap_or_default();
            let after = timers(&t.now);
            for ((kind, name), due) in &after {
                if before.get(&(*kind, name.clone())) != Some(due) {
                    batch.timers_set.push(TimerRow {
                        contact_id: id.clone(),
                        kind: *kind,
                        name: name.clone(),
                        due: due.as_millisecond(),
                        department: t.now.department.clone(),
                    });
                }
            }
            for (kind, name) in before.keys().filter(|k| !after.contains_key(*k)) {
                batch.timers_done.push(TimerKey { contact_id: id.clone(), kind: *kind, name: name.clone() });
            }
            for cb in &t.now.callbacks {
                let old = t.before.as_ref().and_then(|c| c.callbacks.iter().find(|o| o.id == cb.id));
                if old == Some(cb) {
                    continue;
                }
                let status = match (cb.status, cb.due_fired) {
                    (CallbackStatus::Done, _) => "done",
                    (CallbackStatus::Pending, true) => "overdue",
                    (CallbackStatus::Pending, false) => "pending",
                };
                batch.callbacks.push(CallbackRow {
                    contact_id: id.clone(),
                    id: cb.id.clone(),
                    department: t.now.department.clone(),
                    agent: t.now.agent.clone(),
                    due: cb.due.as_millisecond(),
                    purpose: cb.purpose.clone(),
                    status: status.into(),
                    attempts: i64::from(cb.attempts),
                });
            }
            batch.contacts.push((t.now.clone(), t.version));
            fresh.push((id.clone(), t.now.clone(), t.version + 1));
        }
        (batch, fresh)
    }
}

/// A contact's running timers by kind and name.
fn timers(contact: &Contact) -> HashMap<(TimerKind, String), Timestamp> {
    Engine::timers(contact)
        .map(|(due, timer)| match timer {
            Timer::Deadline(n) => ((TimerKind::Deadline, n), due),
            Timer::Callback(n) => ((TimerKind::Callback, n), due),
        })
        .collect()
}
