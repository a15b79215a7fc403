//! # 红树西岸管理处前台 — the property-management front-desk SOP as a plugin
//!
//! The manual (深圳百仕达"红树西岸"客服电话业务处理流程及标准) sets quality
//! standards for five kinds of calls: consultations (section 1), complaints
//! (2), return visits (3, 4) and repairs/emergencies (5). Each standard is a
//! rule with an id such as `PM-2.f`; every number in them is a parameter.
//!
//! The plugin keeps no state between calls: what it needs later (who the
//! matter was handed to, the department's answer, when the next visit is)
//! it asks the host to remember on the contact.
//!
//! # Layout
//! - [`config`]: the parameters, their defaults and checks.
//! - [`rules`]: the manual's sections and rule ids.
//! - [`flows`]: the decisions on the call and the department chain.
//! - [`visits`]: return visits, retries, follow-ups and the visit cadence.
//! - [`scripts`]: what the agent says in each scene.
//! - [`utterances`]: what the agent must never say.

pub mod config;
pub mod flows;
pub mod rules;
pub mod scripts;
pub mod utterances;
pub mod visits;

use sopline_sdk::prelude::*;

use config::Config;
use utterances::Books;

/// Keys of what the plugin remembers on a contact.
pub mod memory {
    /// Set on the agent's first words of a call, once the greeting was checked.
    pub const GREETED: &str = "greeted";
    /// The department (and person) the matter was handed to; empty after a repeat complaint.
    pub const HANDED_TO: &str = "handed_to";
    /// The department's answer to a consultation, to relay to the owner.
    pub const REPLY_TEXT: &str = "reply_text";
    /// When the next return visit is, as told to the owner ("3天").
    pub const NEXT_VISIT: &str = "next_visit";
    /// How many missed time limits were already charged as a repeat complaint.
    pub const CHARGED_MISSES: &str = "charged_misses";
}

/// The extra event type: the agent checked with the department (2.h/5.h).
pub const DEPARTMENT_CHECKED: &str = "department_checked";

/// The front-desk SOP, configured for one department.
pub struct Property {
    /// The department's parameters.
    pub config: Config,
    books: Books,
}

impl Plugin for Property {
    fn manifest() -> Manifest {
        Manifest {
            id: "property".into(),
            name: "红树西岸管理处前台客服".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            industry: "property-management".into(),
            wit_version: WIT_VERSION.into(),
            description: "物业管理处前台客服电话业务处理流程及标准:三声内接听、标准问候、咨询/投诉/报修的转达与回复时限、回访与再投诉考核。".into(),
            categories: vec!["consultation".into(), "complaint".into(), "repair".into()],
            event_types: vec![DEPARTMENT_CHECKED.into()],
            scenes: scripts::scenes(),
            rules: rules::all(),
            params: config::specs(),
        }
    }

    fn configure(params: &Params) -> Result<Self, String> {
        let config = Config::from_params(params)?;
        let books = Books::new(&config);
        Ok(Property { config, books })
    }

    fn on_event(&self, contact: &Contact, event: &Event, now: Timestamp) -> Vec<Action> {
        flows::on_event(&self.config, contact, event, now)
    }

    fn check_utterance(&self, contact: &Contact, speaker: Speaker, text: &str) -> Vec<Violation> {
        self.books.check(contact, speaker, text)
    }

    fn script(&self, scene: &str, contact: &Contact) -> Option<String> {
        scripts::text(&self.config, scene, contact)
    }
}

export_plugin!(Property);
