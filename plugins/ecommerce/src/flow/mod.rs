//! `on-event`: what the e-commerce SOP does after each event.
//!
//! One module per concern of the manuals, each answering the events it cares
//! about; this file only routes. Everything is read from the contact
//! snapshot (its deadlines, callbacks, fields and memory), so the plugin
//! keeps no state between calls.

mod complaint;
mod followup;
mod response;
mod sales;

use sopline_sdk::prelude::*;

use crate::config::Config;

/// Deadline and callback names, as they appear in outcomes.
pub mod names {
    /// The first reply in an online chat (EC-R1).
    pub const FIRST_RESPONSE: &str = "first-response";
    /// The reply after "请稍等" (EC-T3).
    pub const HOLD_REPLY: &str = "hold-reply";
    /// The reply to a buyer's question (EC-R2).
    pub const ANSWER_QUESTION: &str = "answer-question";
    /// A normal complaint handled by the front line (EC-C1).
    pub const COMPLAINT_FRONT_LINE: &str = "complaint-front-line";
    /// A major complaint's solution from the special team (EC-C2).
    pub const SPECIAL_TEAM_SOLUTION: &str = "special-team-solution";
    /// The satisfaction callback after resolution (EC-F1).
    pub const SATISFACTION: &str = "satisfaction";
    /// Urging an unpaid order (EC-P1).
    pub const URGE_PAYMENT: &str = "urge-payment";
}

/// All actions for one event.
pub fn on_event(cfg: &Config, contact: &Contact, event: &Event) -> Vec<Action> {
    let mut out = Vec::new();
    response::on_event(cfg, contact, event, &mut out);
    sales::on_event(cfg, contact, event, &mut out);
    complaint::on_event(cfg, contact, event, &mut out);
    followup::on_event(cfg, contact, event, &mut out);
    out
}

/// The agent to charge: the event's agent when it names one, else the owner.
fn agent_of(contact: &Contact, agent: Option<&str>) -> String {
    agent.filter(|a| !a.is_empty()).unwrap_or(contact.owner()).to_string()
}
