//! The host's contact and events as the plugin contract's types.
//!
//! Always into the *latest* contract; the plugin runtime adapts the latest
//! types to whichever version a plugin was built against.

use jiff::Timestamp;

use crate::contact::{CallbackStatus, Contact, DeadlineStatus};
use crate::event::{Channel, Event, Severity, Speaker};
use crate::lifecycle::State;
use crate::plugin::wit;

/// Milliseconds since the epoch, as the contract counts time.
pub fn millis(at: Timestamp) -> i64 {
    at.as_millisecond()
}

/// The contact as a plugin sees it.
pub fn contact(c: &Contact) -> wit::Contact {
    wit::Contact {
        id: c.id.clone(),
        department: c.department.clone(),
        channel: channel(c.channel),
        category: c.category.clone(),
        severity: severity(c.severity),
        state: state(c.state),
        customer: wit::Customer {
            id: c.customer.id.clone(),
            name: c.customer.name.clone(),
            phone: c.customer.phone.clone(),
            extra: pairs(&c.customer.extra),
        },
        fields: pairs(&c.fields),
        agent: c.agent.clone(),
        identified: c.identified,
        opened_at: millis(c.opened_at),
        answered_at: c.answered_at.map(millis),
        ended_at: c.ended_at.map(millis),
        resolved_at: c.resolved_at.map(millis),
        reopen_count: c.reopen_count,
        deadlines: c
            .deadlines
            .iter()
            .map(|d| wit::DeadlineInfo { name: d.name.clone(), due: millis(d.due), status: deadline_status(d.status) })
            .collect(),
        callbacks: c.callbacks.iter().map(callback).collect(),
        memory: pairs(&c.memory),
    }
}

/// One callback as a plugin sees it.
pub fn callback(cb: &crate::contact::Callback) -> wit::CallbackInfo {
    wit::CallbackInfo {
        id: cb.id.clone(),
        due: millis(cb.due),
        purpose: cb.purpose.clone(),
        attempts: cb.attempts,
        status: match cb.status {
            CallbackStatus::Pending => wit::CallbackStatus::Pending,
            CallbackStatus::Done => wit::CallbackStatus::Done,
        },
        last_outcome: cb.last_outcome.map(|o| o.as_str().to_string()),
    }
}

/// An event as a plugin sees it. `callback` is the id an attempt resolved to.
pub fn event(e: &Event, callback: Option<&str>) -> wit::Event {
    match e {
        Event::Opened(_) => wit::Event::Opened,
        Event::Answered { agent, rings } => wit::Event::Answered(wit::Answered { agent: agent.clone(), rings: *rings }),
        Event::Message { from, agent, text } => {
            wit::Event::Message(wit::Message { from: speaker(*from), agent: agent.clone(), text: text.clone() })
        }
        Event::Identified { agent, method } => {
            wit::Event::Identified(wit::Identified { agent: agent.clone(), method: method.clone() })
        }
        Event::Classified { category, severity: s } => {
            wit::Event::Classified(wit::Classified { category: category.clone(), severity: severity(*s) })
        }
        Event::FieldSet { name, value } => {
            wit::Event::FieldSet(wit::FieldSet { name: name.clone(), value: value.clone() })
        }
        Event::Ended { agent } => wit::Event::Ended(agent.clone()),
        Event::HandedOff { agent, to } => {
            wit::Event::HandedOff(wit::HandedOff { agent: agent.clone(), to: to.clone() })
        }
        Event::CustomerNotified { agent } => wit::Event::CustomerNotified(agent.clone()),
        Event::DepartmentReplied { from, text } => {
            wit::Event::DepartmentReplied(wit::DepartmentReplied { from: from.clone(), text: text.clone() })
        }
        Event::EscalationRequested { agent, reason } => {
            wit::Event::EscalationRequested(wit::EscalationRequested { agent: agent.clone(), reason: reason.clone() })
        }
        Event::Approved { by, what } => wit::Event::Approved(wit::Approved { by: by.clone(), what: what.clone() }),
        Event::Resolved { agent, on_first_contact } => {
            wit::Event::Resolved(wit::Resolved { agent: agent.clone(), on_first_contact: *on_first_contact })
        }
        Event::CallbackAttempted { agent, outcome, .. } => wit::Event::CallbackAttempted(wit::CallbackAttempted {
            agent: agent.clone(),
            outcome: outcome.as_str().to_string(),
            callback: callback.unwrap_or_default().to_string(),
        }),
        Event::Reopened { reason } => wit::Event::Reopened(reason.clone()),
        Event::Closed { agent } => wit::Event::Closed(agent.clone().unwrap_or_default()),
        Event::Custom { kind, agent, fields } => {
            wit::Event::Custom(wit::CustomEvent { kind: kind.clone(), agent: agent.clone(), fields: pairs(fields) })
        }
    }
}

pub fn speaker(s: Speaker) -> wit::Speaker {
    match s {
        Speaker::Agent => wit::Speaker::Agent,
        Speaker::Customer => wit::Speaker::Customer,
    }
}

fn channel(c: Channel) -> wit::Channel {
    match c {
        Channel::Phone => wit::Channel::Phone,
        Channel::Chat => wit::Channel::Chat,
        Channel::Email => wit::Channel::Email,
        Channel::Visit => wit::Channel::Visit,
        Channel::Web => wit::Channel::Web,
    }
}

fn severity(s: Severity) -> wit::Severity {
    match s {
        Severity::Normal => wit::Severity::Normal,
        Severity::Major => wit::Severity::Major,
    }
}

fn state(s: State) -> wit::State {
    match s {
        State::Waiting => wit::State::Waiting,
        State::InProgress => wit::State::InProgress,
        State::Pending => wit::State::Pending,
        State::Resolved => wit::State::Resolved,
        State::Closed => wit::State::Closed,
    }
}

fn deadline_status(s: DeadlineStatus) -> wit::DeadlineStatus {
    match s {
        DeadlineStatus::Pending => wit::DeadlineStatus::Pending,
        DeadlineStatus::Met => wit::DeadlineStatus::Met,
        DeadlineStatus::Cancelled => wit::DeadlineStatus::Cancelled,
        DeadlineStatus::Missed => wit::DeadlineStatus::Missed,
    }
}

fn pairs(map: &std::collections::BTreeMap<String, String>) -> Vec<(String, String)> {
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}
