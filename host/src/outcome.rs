//! What the engine decided, as the spec's JSON outcomes. The same values go
//! to `simulate`'s output, the API's answers and the console's stream.

use jiff::Zoned;
use serde::{Serialize, Serializer};

use crate::lifecycle::State;

/// One decision, at a time, about a contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    #[serde(serialize_with = "rfc3339")]
    pub at: Zoned,
    pub contact: String,
    #[serde(flatten)]
    pub body: Body,
}

/// The kinds of outcome and their fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    State {
        from: State,
        to: State,
    },
    Script {
        scene: String,
        text: String,
    },
    DeadlineSet {
        name: String,
        #[serde(serialize_with = "rfc3339")]
        due: Zoned,
    },
    DeadlineMet {
        name: String,
    },
    DeadlineCancelled {
        name: String,
    },
    DeadlineMissed {
        name: String,
        #[serde(serialize_with = "rfc3339")]
        due: Zoned,
    },
    Escalated {
        level: String,
        to: String,
        reason: String,
    },
    CallbackScheduled {
        id: String,
        #[serde(serialize_with = "rfc3339")]
        due: Zoned,
        purpose: String,
    },
    CallbackDue {
        id: String,
        purpose: String,
    },
    CallbackCancelled {
        id: String,
    },
    Penalty {
        agent: String,
        points: u32,
        rule: String,
        reason: String,
    },
    Reward {
        agent: String,
        points: u32,
        rule: String,
        reason: String,
    },
    Violation {
        agent: String,
        rule: String,
        excerpt: String,
        reason: String,
        suggestion: Option<String>,
    },
    Notify {
        to: String,
        text: String,
    },
    FieldsRequired {
        before: String,
        fields: Vec<String>,
        rule: String,
    },
    Rejected {
        event: String,
        error: String,
    },
    PluginFailed {
        plugin: String,
        event: String,
        error: String,
    },
}

impl Body {
    /// The `kind` as written in JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Body::State { .. } => "state",
            Body::Script { .. } => "script",
            Body::DeadlineSet { .. } => "deadline_set",
            Body::DeadlineMet { .. } => "deadline_met",
            Body::DeadlineCancelled { .. } => "deadline_cancelled",
            Body::DeadlineMissed { .. } => "deadline_missed",
            Body::Escalated { .. } => "escalated",
            Body::CallbackScheduled { .. } => "callback_scheduled",
            Body::CallbackDue { .. } => "callback_due",
            Body::CallbackCancelled { .. } => "callback_cancelled",
            Body::Penalty { .. } => "penalty",
            Body::Reward { .. } => "reward",
            Body::Violation { .. } => "violation",
            Body::Notify { .. } => "notify",
            Body::FieldsRequired { .. } => "fields_required",
            Body::Rejected { .. } => "rejected",
            Body::PluginFailed { .. } => "plugin_failed",
        }
    }
}

/// RFC 3339 with the zone's offset and whole seconds, e.g. `2026-03-02T09:10:00+08:00`.
pub fn format_time(at: &Zoned) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn rfc3339<S: Serializer>(at: &Zoned, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_time(at))
}
