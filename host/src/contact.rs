//! A contact as the host keeps it: lifecycle state, the facts events
//! established, and the deadlines, callbacks and memory the plugin asked for.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::event::{CallbackOutcome, Channel, Customer, Event, Opened, Severity};
use crate::lifecycle::State;

/// The plugin version a contact is pinned to for its whole life, and the
/// department binding (revision) it came with: a later swap of the plugin or
/// its parameters does not change the SOP of a contact already open.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PluginRef {
    pub id: String,
    pub version: String,
    /// The department's binding revision (1 for the rules as first loaded).
    #[serde(default = "first_binding")]
    pub binding: u32,
}

fn first_binding() -> u32 {
    1
}

impl std::fmt::Display for PluginRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.id, self.version)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    Pending,
    Met,
    Cancelled,
    Missed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deadline {
    pub name: String,
    pub due: Timestamp,
    pub status: DeadlineStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackStatus {
    Pending,
    Done,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Callback {
    pub id: String,
    pub due: Timestamp,
    pub purpose: String,
    pub attempts: u32,
    pub status: CallbackStatus,
    pub last_outcome: Option<CallbackOutcome>,
    /// Whether the host already told the plugin it fell due.
    pub due_fired: bool,
}

/// Fields a plugin requires before an event type is accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Requirement {
    pub before: String,
    pub fields: Vec<String>,
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: String,
    pub department: String,
    pub plugin: PluginRef,
    pub channel: Channel,
    pub category: String,
    pub severity: Severity,
    pub state: State,
    pub customer: Customer,
    pub fields: BTreeMap<String, String>,
    /// The first responder, who owns the contact (首问负责制).
    pub agent: Option<String>,
    pub identified: bool,
    pub opened_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub reopen_count: u32,
    pub deadlines: Vec<Deadline>,
    pub callbacks: Vec<Callback>,
    pub memory: BTreeMap<String, String>,
    pub requirements: Vec<Requirement>,
}

impl Contact {
    /// A contact that has just arrived.
    pub fn open(id: String, opened: &Opened, plugin: PluginRef, at: Timestamp) -> Contact {
        Contact {
            id,
            department: opened.department.clone(),
            plugin,
            channel: opened.channel,
            category: opened.category.clone(),
            severity: Severity::Normal,
            state: State::Waiting,
            customer: opened.customer.clone(),
            fields: opened.fields.clone(),
            agent: None,
            identified: false,
            opened_at: at,
            answered_at: None,
            ended_at: None,
            resolved_at: None,
            reopen_count: 0,
            deadlines: Vec::new(),
            callbacks: Vec::new(),
            memory: BTreeMap::new(),
            requirements: Vec::new(),
        }
    }

    /// Why `event` cannot be accepted beyond the lifecycle: a plugin's
    /// required fields that are missing, or a callback that does not exist.
    pub fn precondition(&self, event: &Event) -> Result<(), String> {
        for req in self.requirements.iter().filter(|r| r.before == event.kind()) {
            let missing: Vec<&str> =
                req.fields.iter().filter(|f| !self.fields.contains_key(*f)).map(String::as_str).collect();
            if !missing.is_empty() {
                return Err(format!(
                    "{} needs the field(s) {} first (rule {}); set them with field_set",
                    event.kind(),
                    missing.join(", "),
                    req.rule
                ));
            }
        }
        if let Event::CallbackAttempted { callback, .. } = event {
            self.callback_for(callback.as_deref())?;
        }
        Ok(())
    }

    /// Records what the event established. Call after the lifecycle and
    /// [`Contact::precondition`] accepted it.
    pub fn record(&mut self, event: &Event, state: State, at: Timestamp) {
        self.state = state;
        match event {
            Event::Answered { agent, .. } => {
                self.answered_at.get_or_insert(at);
                self.agent.get_or_insert_with(|| agent.clone());
            }
            Event::Identified { .. } => self.identified = true,
            Event::Classified { category, severity } => {
                self.category = category.clone();
                self.severity = *severity;
            }
            Event::FieldSet { name, value } => {
                self.fields.insert(name.clone(), value.clone());
            }
            Event::Ended { .. } => self.ended_at = Some(at),
            Event::Resolved { .. } => self.resolved_at = Some(at),
            Event::Reopened { .. } => {
                self.reopen_count += 1;
                self.resolved_at = None;
            }
            Event::CallbackAttempted { callback, outcome, .. } => {
                if let Ok(index) = self.callback_for(callback.as_deref()) {
                    let cb = &mut self.callbacks[index];
                    cb.attempts += 1;
                    cb.last_outcome = Some(*outcome);
                    if *outcome != CallbackOutcome::NoAnswer {
                        cb.status = CallbackStatus::Done;
                    }
                }
            }
            _ => {}
        }
    }

    /// The callback an attempt refers to: by id, or the earliest pending one.
    pub fn callback_for(&self, id: Option<&str>) -> Result<usize, String> {
        match id {
            Some(id) => self
                .callbacks
                .iter()
                .position(|c| c.id == id)
                .ok_or_else(|| format!("callback_attempted: this contact has no callback `{id}`")),
            None => self
                .callbacks
                .iter()
                .enumerate()
                .filter(|(_, c)| c.status == CallbackStatus::Pending)
                .min_by_key(|(_, c)| c.due)
                .map(|(i, _)| i)
                .ok_or_else(|| "callback_attempted: this contact has no pending callback".to_string()),
        }
    }

    /// The pending deadline with this name.
    pub fn pending_deadline(&mut self, name: &str) -> Option<&mut Deadline> {
        self.deadlines.iter_mut().rev().find(|d| d.name == name && d.status == DeadlineStatus::Pending)
    }
}
