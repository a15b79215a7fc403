//! `check-utterance`: the eight taboos and the wording rules on one agent message.
//!
//! Order matters only for the report: the e-commerce patterns (with their
//! manual-specific reasons) come first, then the phrase lists all manuals
//! share (`sopline_sdk::common`) under the e-commerce rule ids. At most one
//! violation per rule id, so an agent is never charged twice for one sentence.

use sopline_sdk::common;
use sopline_sdk::phrase::Phrasebook;
use sopline_sdk::{Contact, Violation};

use crate::config::Config;
use crate::taboos::{WordRule, word_rules};
use crate::wording;

/// The checker, built once per configuration.
#[derive(Debug, Clone)]
pub struct Checker {
    rules: Vec<WordRule>,
    shared: Phrasebook,
}

impl Checker {
    /// The rules with the department's points.
    pub fn new(cfg: &Config) -> Checker {
        let shared = Phrasebook::new()
            .rule(common::buck_passing("EC-T5", cfg.arguing_points))
            .rule(common::rude("EC-T5", cfg.arguing_points))
            .rule(common::rash_promises("EC-T8", cfg.disparage_points))
            .rule(common::vague("EC-V1", cfg.vague_points));
        Checker { rules: word_rules(), shared }
    }

    /// The violations in an agent's message.
    pub fn check(&self, cfg: &Config, contact: &Contact, text: &str) -> Vec<Violation> {
        let mut out: Vec<Violation> = Vec::new();
        let mut push = |v: Violation| {
            if !out.iter().any(|o| o.rule == v.rule) {
                out.push(v);
            }
        };
        for rule in &self.rules {
            if let Some(found) = rule.patterns.iter().find_map(|p| p.find(text)) {
                push(violation(rule.id, found.excerpt, rule.reason, Some(rule.suggestion), cfg.points(rule.id)));
            }
        }
        let own = wording::digits_of(&contact.customer.phone);
        for number in wording::phone_numbers(text) {
            if number.digits == own {
                push(violation(
                    "EC-T6",
                    number.excerpt,
                    "在聊天中发送买家的完整手机号(八大禁忌第6条:不能以任何方式泄露客户信息)",
                    Some(&format!("核对号码时只说尾号,如“您的手机尾号{}对吗”", &own[own.len().saturating_sub(4)..])),
                    cfg.leak_points,
                ));
            } else if !number.about_order {
                push(violation(
                    "EC-T4",
                    number.excerpt,
                    "发送非买家本人的手机号(八大禁忌第4条:不得提供私人电话)",
                    Some("请通过店铺客服账号与买家沟通,不要留私人电话"),
                    cfg.private_data_points,
                ));
            }
        }
        if let Some((excerpt, precise)) = wording::vague_time(text) {
            push(violation(
                "EC-V1",
                excerpt,
                "模糊表述:时间要说确定的(话术规范)",
                Some(&format!("改为“{precise}”")),
                cfg.vague_points,
            ));
        }
        if let Some(excerpt) = wording::inexact_amount(text) {
            push(violation(
                "EC-A2",
                excerpt,
                "金额说约数:涉及金额一定核实清楚、计算准确",
                Some("核实后说准确金额,如“本次退款金额为50.00元”"),
                cfg.inexact_amount_points,
            ));
        }
        for v in self.shared.check(text) {
            push(v);
        }
        out
    }
}

fn violation(rule: &str, excerpt: String, reason: &str, suggestion: Option<&str>, points: u32) -> Violation {
    Violation { rule: rule.into(), excerpt, reason: reason.into(), suggestion: suggestion.map(String::from), points }
}
