//! # The GPS installation and repair SOP as a Sopline plugin
//!
//! Encodes manual 004 (客户服务管理制度, the GPS terminal company's parts):
//! installation dispatch orders and repair orders with their fields, the
//! GPS department manager's approval before a technician goes, the service
//! ladder hotline → remote (with consent) → on site, return visits monthly
//! in the first year after delivery and quarterly after it, the yearly
//! December call, and the major-fault procedure.
//!
//! # Layout
//! - [`manifest`]: rule ids, extra event types, scenes, parameters.
//! - [`config`]: the parameters, checked once.
//! - [`orders`]: 安装任务派工单 / 维修服务单 fields, approval, dispatch.
//! - [`ladder`]: hotline → remote → on site, and remote consent.
//! - [`visits`]: return-visit cadence and the December call.
//! - [`civil`]: dates and calendar-month arithmetic at a fixed UTC offset.
//! - [`faults`]: major-fault report and fault analysis report.
//! - [`scripts`]: what agents say, in the manual's words.
//! - [`utterance`]: forbidden words and promises in what agents say.
//! - [`memory`]: the keys the plugin remembers on a contact.
//!
//! The plugin is stateless between calls: everything it knows about a
//! contact's history comes from the snapshot (fields, deadlines, callbacks,
//! and the values it asked the host to remember).

pub mod civil;
pub mod config;
pub mod faults;
pub mod ladder;
pub mod manifest;
pub mod memory;
pub mod orders;
pub mod scripts;
pub mod utterance;
pub mod visits;

use config::Config;
use orders::Order;
use sopline_sdk::phrase::Phrasebook;
use sopline_sdk::prelude::*;

/// The plugin, configured for one department.
pub struct Gps {
    config: Config,
    phrasebook: Phrasebook,
}

impl Gps {
    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn show(&self, scene: &str, contact: &Contact, out: &mut Vec<Action>) {
        if let Some(text) = scripts::render(&self.config, scene, contact) {
            out.push(act::script(scene, &text));
        }
    }

    /// The intake script for the contact's category, if it has one.
    fn intake(&self, contact: &Contact, out: &mut Vec<Action>) {
        match Order::of(&contact.category) {
            Some(Order::Install) => self.show("install_intake", contact, out),
            Some(Order::Repair) => self.show("repair_intake", contact, out),
            None => {}
        }
    }
}

/// The agent a custom event names, or the contact's owner.
pub(crate) fn custom_agent(contact: &Contact, event: &CustomEvent) -> String {
    event
        .agent
        .clone()
        .or_else(|| event.fields.iter().find(|(k, _)| k == "agent").map(|(_, v)| v.clone()))
        .unwrap_or_else(|| contact.owner().to_string())
}

impl Plugin for Gps {
    fn manifest() -> Manifest {
        manifest::manifest()
    }

    fn configure(params: &Params) -> Result<Self, String> {
        let config = Config::from_params(params)?;
        let phrasebook = utterance::phrasebook(&config);
        Ok(Gps { config, phrasebook })
    }

    fn on_event(&self, contact: &Contact, event: &Event, now: Timestamp) -> Vec<Action> {
        let mut out = Vec::new();
        match event {
            Event::Answered(_) => {
                self.show("greeting", contact, &mut out);
                self.intake(contact, &mut out);
            }
            Event::Classified(_) => self.intake(contact, &mut out),
            // Still talking to the customer: close the conversation properly.
            Event::Resolved(_) if contact.ended_at.is_none() => self.show("closing", contact, &mut out),
            _ => {}
        }
        orders::on_event(&self.config, contact, event, &mut out);
        ladder::on_event(&self.config, contact, event, &mut out);
        visits::on_event(&self.config, contact, event, now, &mut out);
        faults::on_event(&self.config, contact, event, &mut out);
        out
    }

    fn check_utterance(&self, contact: &Contact, speaker: Speaker, text: &str) -> Vec<Violation> {
        utterance::check(&self.config, &self.phrasebook, contact, speaker, text)
    }

    fn script(&self, scene: &str, contact: &Contact) -> Option<String> {
        scripts::render(&self.config, scene, contact)
    }
}

sopline_sdk::export_plugin!(Gps);
