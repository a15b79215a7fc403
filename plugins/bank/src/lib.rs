//! # The bank customer-service SOP as a Sopline plugin
//!
//! Encodes the 「银行客户服务管理制度」 of seed manual 004: 服务确权 (no
//! account information before the customer's identity is verified), the
//! complaint acceptance → handling → reply deadlines, the emergency and
//! escalation ladder for incidents, satisfaction surveys after resolution,
//! privacy, and the conduct rules for agents (no exaggerated promises, no
//! arguing), plus the norms all manuals share from `sopline_sdk::common`.
//!
//! # Layout
//! - [`manifest`]: rule ids, scenes, categories and the parameters with their descriptions.
//! - [`config`]: the parameters, checked, including the escalation ladder.
//! - [`flow`]: `on-event` — deadlines, escalations, survey callbacks, penalties.
//! - [`utterance`]: `check-utterance` — what an agent may not say.
//! - [`account_info`]: whether a sentence discloses a card number, balance, transaction or account status.
//! - [`privacy`]: third-party callers and other people's data.
//! - [`text`]: amounts, dates and digit runs in Chinese text.
//! - [`scripts`]: the scenes' wording, quoted from the manual.

pub mod account_info;
pub mod config;
pub mod flow;
pub mod manifest;
pub mod privacy;
pub mod scripts;
pub mod text;
pub mod utterance;

use sopline_sdk::phrase::Phrasebook;
use sopline_sdk::prelude::*;

use crate::config::Config;

/// The plugin, configured for one department.
pub struct Bank {
    config: Config,
    phrasebook: Phrasebook,
}

impl Bank {
    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

impl Plugin for Bank {
    fn manifest() -> Manifest {
        manifest::manifest()
    }

    fn configure(params: &Params) -> Result<Self, String> {
        let config = Config::from_params(params)?;
        let phrasebook = utterance::phrasebook(&config);
        Ok(Bank { config, phrasebook })
    }

    fn on_event(&self, contact: &Contact, event: &Event, now: Timestamp) -> Vec<Action> {
        flow::on_event(&self.config, contact, event, now)
    }

    fn check_utterance(&self, contact: &Contact, speaker: Speaker, text: &str) -> Vec<Violation> {
        match speaker {
            Speaker::Agent => utterance::check(&self.config, &self.phrasebook, contact, text),
            Speaker::Customer => Vec::new(),
        }
    }

    fn script(&self, scene: &str, contact: &Contact) -> Option<String> {
        scripts::render(&self.config, scene, contact)
    }
}

export_plugin!(Bank);
