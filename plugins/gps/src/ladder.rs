//! The service ladder: hotline → remote (with the customer's consent) → on site.
//!
//! "10.2.1 热线应答服务 … 10.2.2 远程服务 当热线应答服务无法排除故障时,在客户授权的
//! 前提下,…通过互联网远程接入客户所用系统 … 10.2.3 现场服务 当热线应答服务及远程服务
//! 无法解决客户提出的服务请求时,客服部将指定相关技术人员…抵达现场进行服务"
//!
//! Each `escalation_requested` climbs one level. The customer's answer to
//! the consent question is the form field `remote_consent`; the host rejects
//! a `remote_session` until it is set, and the plugin books a breach when it
//! was set to a refusal. A refusal lets the ladder go straight to on-site.

use crate::config::Config;
use crate::manifest::{event, rule};
use crate::orders::Order;
use crate::{custom_agent, memory};
use sopline_sdk::prelude::*;

/// The customer's answer to "请问您是否同意远程接入?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// Said yes.
    Given,
    /// Said no.
    Refused,
    /// Not asked yet, or an answer the plugin cannot read.
    Unknown,
}

/// Reads the `remote_consent` field.
pub fn consent(contact: &Contact) -> Consent {
    let Some(value) = contact.field("remote_consent") else {
        return Consent::Unknown;
    };
    match value.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "agreed" | "consented" | "同意" | "已同意" | "是" | "授权" | "已授权" => {
            Consent::Given
        }
        "no" | "n" | "false" | "0" | "refused" | "declined" | "不同意" | "否" | "拒绝" | "未授权" => {
            Consent::Refused
        }
        _ => Consent::Unknown,
    }
}

/// The ladder's levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// 热线应答服务
    Hotline,
    /// 远程服务
    Remote,
    /// 现场服务
    OnSite,
}

/// Where the contact stands on the ladder.
pub fn level(contact: &Contact) -> Level {
    match contact.memory(memory::LADDER) {
        Some("remote") => Level::Remote,
        Some("onsite") => Level::OnSite,
        _ => Level::Hotline,
    }
}

/// Climbing the ladder, and the consent and order-of-steps checks.
pub fn on_event(config: &Config, contact: &Contact, ev: &Event, out: &mut Vec<Action>) {
    match ev {
        Event::Opened => out.push(act::require(event::REMOTE_SESSION, &["remote_consent"], rule::REMOTE_CONSENT)),
        Event::EscalationRequested(request) => match level(contact) {
            Level::Hotline if consent(contact) != Consent::Refused => {
                out.push(act::escalate("remote", &config.remote_team, &request.reason));
                out.push(act::remember(memory::LADDER, "remote"));
                if let Some(text) = crate::scripts::render(config, "remote_consent", contact) {
                    out.push(act::script("remote_consent", &text));
                }
            }
            Level::Hotline | Level::Remote => {
                out.push(act::escalate("on-site", &config.field_team, &request.reason));
                out.push(act::remember(memory::LADDER, "onsite"));
                if contact.memory(memory::APPROVED_BY).is_none() {
                    let document = crate::scripts::order_document(&contact.category);
                    out.push(act::notify(
                        &config.manager,
                        &format!("客户{}需要现场服务,{document}待审批。", contact.customer.name),
                    ));
                }
            }
            Level::OnSite => out.push(act::escalate("manager", &config.manager, &request.reason)),
        },
        Event::Custom(custom) if custom.kind == event::REMOTE_SESSION => {
            if consent(contact) != Consent::Given {
                out.push(act::violation(
                    &custom_agent(contact, custom),
                    Violation {
                        rule: rule::REMOTE_CONSENT.into(),
                        excerpt: format!("remote_consent={}", contact.field("remote_consent").unwrap_or("")),
                        reason: "远程接入须在客户授权的前提下进行".into(),
                        suggestion: Some("先征得客户同意远程接入,再开始远程服务".into()),
                        points: config.points.remote_consent,
                    },
                ));
            }
            if level(contact) == Level::Hotline {
                out.push(act::remember(memory::LADDER, "remote"));
            }
        }
        Event::Custom(custom) if custom.kind == event::DISPATCHED => {
            let repair = Order::of(&contact.category) == Some(Order::Repair);
            let skipped = level(contact) == Level::Hotline && consent(contact) != Consent::Refused;
            if repair && skipped && config.remote_before_onsite {
                out.push(act::violation(
                    &custom_agent(contact, custom),
                    Violation {
                        rule: rule::LADDER.into(),
                        excerpt: event::DISPATCHED.into(),
                        reason: "热线应答服务及远程服务无法解决时才安排现场服务".into(),
                        suggestion: Some("先尝试远程服务(征得客户授权),或记录客户拒绝远程后再派现场".into()),
                        points: config.points.ladder,
                    },
                ));
            }
            if level(contact) != Level::OnSite {
                out.push(act::remember(memory::LADDER, "onsite"));
            }
        }
        _ => {}
    }
}
