//! # The e-commerce customer-service SOP as a Sopline plugin
//!
//! Encodes the online-shop manuals (`seeds/001` 客服的定义 with its 八大禁忌,
//! `seeds/003` 优化客户服务中心沟通的工作方案): the eight taboos on every agent
//! message, the 30-second first response in chat, replying after "请稍等",
//! answering every pre-sales question and urging unpaid orders, confirming
//! orders and amounts after sales, tiered complaints (front line 1 h, special
//! team 24 h) and the satisfaction callback within 24 h. Every number is a
//! parameter (see [`manifest`]); rule ids are listed in [`manifest::RULES`].
//!
//! # Layout
//! - [`manifest`]: rules, scenes, event types and parameters with their descriptions.
//! - [`config`]: the parameters read into typed fields.
//! - [`check`]: `check-utterance`, combining
//!   [`taboos`] (the eight taboos as patterns), [`wording`] (phone numbers,
//!   vague times, inexact amounts) and the SDK's shared phrase lists.
//! - [`matcher`]: clause-aware phrase patterns (negations, clause ends, numbers).
//! - [`flow`]: `on-event`, one module per concern (replies, sales, complaints, follow-up).
//! - [`scripts`]: the 话术 per scene with the customer's 称呼 filled.
//!
//! The plugin is stateless: everything it needs between calls is in the
//! contact snapshot (deadlines, callbacks, fields, memory).

pub mod check;
pub mod config;
pub mod flow;
pub mod manifest;
pub mod matcher;
pub mod scripts;
pub mod taboos;
pub mod wording;

use sopline_sdk::prelude::*;

/// The plugin, configured for one department.
pub struct Ecommerce {
    cfg: config::Config,
    checker: check::Checker,
}

impl Plugin for Ecommerce {
    fn manifest() -> Manifest {
        manifest::manifest()
    }

    fn configure(params: &Params) -> Result<Self, String> {
        let cfg = config::Config::from_params(params)?;
        let checker = check::Checker::new(&cfg);
        Ok(Ecommerce { cfg, checker })
    }

    fn on_event(&self, contact: &Contact, event: &Event, _now: Timestamp) -> Vec<Action> {
        flow::on_event(&self.cfg, contact, event)
    }

    fn check_utterance(&self, contact: &Contact, speaker: Speaker, text: &str) -> Vec<Violation> {
        match speaker {
            Speaker::Agent => self.checker.check(&self.cfg, contact, text),
            Speaker::Customer => Vec::new(),
        }
    }

    fn script(&self, scene: &str, contact: &Contact) -> Option<String> {
        scripts::render(&self.cfg, scene, contact)
    }
}

sopline_sdk::export_plugin!(Ecommerce);
