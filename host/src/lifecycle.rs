//! The lifecycle every contact shares, whatever the industry: which events
//! are legal in which state and where they lead. Pure: no I/O, no plugin.
//!
//! ```text
//!  opened ──▶ waiting ──answered──▶ in_progress ──ended──▶ pending
//!               │                      │  ▲                   │
//!               └──ended (missed)──────┼──┼──▶ pending        │
//!                                      │  └──reopened──┐      │
//!                                      └──resolved──▶ resolved ◀─resolved
//!                                                      │
//!                                                   closed
//! ```
//!
//! Plugins never change the state directly; they decide deadlines, scripts
//! and penalties around it. That keeps every SOP on one shared, auditable
//! path, and lets the console offer the same keys in every department.

use serde::{Deserialize, Serialize};

use crate::event::{Event, Speaker};

/// Where a contact stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Arrived; nobody picked it up yet (a phone is ringing, a chat waits).
    Waiting,
    /// An agent is talking or writing with the customer.
    InProgress,
    /// The conversation is over but the matter is not settled.
    Pending,
    /// The matter is settled; return visits may follow.
    Resolved,
    /// Nothing more to do.
    Closed,
}

impl State {
    /// The spelling used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Waiting => "waiting",
            State::InProgress => "in_progress",
            State::Pending => "pending",
            State::Resolved => "resolved",
            State::Closed => "closed",
        }
    }

    /// Parses the JSON spelling.
    pub fn parse(text: &str) -> Option<State> {
        [State::Waiting, State::InProgress, State::Pending, State::Resolved, State::Closed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// The state after `event`, or why the event does not fit the contact now.
pub fn next(state: State, event: &Event) -> Result<State, String> {
    use State::*;
    let kind = event.kind();
    let refuse = |why: &str| Err(format!("{kind} is not allowed while the contact is {}: {why}", state.as_str()));
    match (event, state) {
        (Event::Opened(_), _) => refuse("the contact is already open"),
        (_, Closed) if !matches!(event, Event::Reopened { .. } | Event::CallbackAttempted { .. }) => {
            refuse("it is closed; reopen it first")
        }

        (Event::Answered { .. }, Waiting) => Ok(InProgress),
        (Event::Answered { .. }, _) => refuse("it was answered already"),

        (Event::Message { from: Speaker::Agent, .. }, Waiting) => refuse("answer it before writing to the customer"),
        (Event::Message { .. }, _) => Ok(state),

        (Event::Ended { .. }, Waiting | InProgress) => Ok(Pending),
        (Event::Ended { .. }, Resolved) => Ok(Resolved),
        (Event::Ended { .. }, _) => refuse("the conversation has already ended"),

        (Event::Resolved { .. }, InProgress | Pending) => Ok(Resolved),
        (Event::Resolved { .. }, Waiting) => refuse("answer it first"),
        (Event::Resolved { .. }, _) => refuse("it is already resolved"),

        (Event::Reopened { .. }, Pending | Resolved | Closed) => Ok(InProgress),
        (Event::Reopened { .. }, _) => refuse("it is still being handled"),

        (Event::Closed { .. }, Resolved) => Ok(Closed),
        (Event::Closed { .. }, _) => refuse("resolve it first"),

        (Event::CallbackAttempted { .. }, Waiting) => refuse("answer it first"),
        (Event::CallbackAttempted { .. }, _) => Ok(state),

        (
            Event::Identified { .. }
            | Event::HandedOff { .. }
            | Event::CustomerNotified { .. }
            | Event::EscalationRequested { .. }
            | Event::Approved { .. },
            Waiting,
        ) => refuse("answer it first"),

        (
            Event::FieldSet { .. } | Event::Classified { .. } | Event::DepartmentReplied { .. } | Event::Custom { .. },
            _,
        )
        | (
            Event::Identified { .. }
            | Event::HandedOff { .. }
            | Event::CustomerNotified { .. }
            | Event::EscalationRequested { .. }
            | Event::Approved { .. },
            _,
        ) => Ok(state),
    }
}

#[cfg(test)]
mod tests {
    use super::State::*;
    use super::*;
    use crate::event::CallbackOutcome;

    fn answered() -> Event {
        Event::Answered { agent: "a1".into(), rings: Some(2) }
    }
    fn ended() -> Event {
        Event::Ended { agent: None }
    }
    fn resolved() -> Event {
        Event::Resolved { agent: "a1".into(), on_first_contact: false }
    }
    fn closed() -> Event {
        Event::Closed { agent: None }
    }

    #[test]
    fn a_complaint_walks_the_whole_path() {
        let mut s = Waiting;
        for (event, expected) in [
            (answered(), InProgress),
            (Event::Message { from: Speaker::Agent, agent: Some("a1".into()), text: "您好".into() }, InProgress),
            (ended(), Pending),
            (Event::HandedOff { agent: "a1".into(), to: "工程部".into() }, Pending),
            (Event::CustomerNotified { agent: "a1".into() }, Pending),
            (resolved(), Resolved),
            (
                Event::CallbackAttempted { agent: "a1".into(), outcome: CallbackOutcome::Satisfied, callback: None },
                Resolved,
            ),
            (closed(), Closed),
            (Event::Reopened { reason: "又漏水了".into() }, InProgress),
        ] {
            s = next(s, &event).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(s, expected, "after {}", event.kind());
        }
    }

    #[test]
    fn a_missed_call_becomes_pending() {
        assert_eq!(next(Waiting, &ended()), Ok(Pending));
    }

    #[test]
    fn refusals_say_why() {
        let cases = [
            (InProgress, answered(), "answered already"),
            (Waiting, resolved(), "answer it first"),
            (Pending, closed(), "resolve it first"),
            (Closed, answered(), "reopen it first"),
            (
                Waiting,
                Event::Message { from: Speaker::Agent, agent: Some("a".into()), text: "x".into() },
                "answer it before",
            ),
            (InProgress, Event::Reopened { reason: String::new() }, "still being handled"),
            (Pending, ended(), "already ended"),
        ];
        for (state, event, why) in cases {
            let err = next(state, &event).unwrap_err();
            assert!(err.contains(why) && err.contains(event.kind()), "{err}");
        }
    }

    #[test]
    fn a_customer_may_write_while_waiting() {
        let m = Event::Message { from: Speaker::Customer, agent: None, text: "在吗".into() };
        assert_eq!(next(Waiting, &m), Ok(Waiting));
    }
}
