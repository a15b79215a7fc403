//! What an agent must never say to an owner (1.i / 2.k / 3.j: 不可顶撞业主、
//! 不可随意许诺、不可无理辩解、不可摔电话、不可态度粗暴; 4.j: 不谈隐私), plus the
//! shared norms of `sopline_sdk::common` (首问负责制, vague reply times).
//!
//! The same words are reported under the rule of the section the agent is
//! working in, so a supervisor reads "PM-2.k" for a rude word during a
//! complaint call and "PM-3.j" during a return visit.

use sopline_sdk::common;
use sopline_sdk::phrase::{PhraseRule, Phrasebook};
use sopline_sdk::prelude::*;

use crate::config::Config;
use crate::rules::{Section, visit};

/// One phrasebook per context, built once at `configure`.
#[derive(Debug, Clone)]
pub struct Books {
    consultation: Phrasebook,
    complaint: Phrasebook,
    repair: Phrasebook,
    visit: Phrasebook,
}

impl Books {
    /// The books with the configured points.
    pub fn new(config: &Config) -> Books {
        Books {
            consultation: book(config, Section::Consultation.never_say(), &Section::Consultation.rule('e')),
            complaint: book(config, Section::Complaint.never_say(), &Section::Complaint.rule('e')),
            repair: book(config, Section::Repair.never_say(), &Section::Repair.rule('e')),
            visit: book(config, visit::NEVER_SAY, visit::NEVER_SAY),
        }
    }

    /// Violations in what an agent said on this contact.
    pub fn check(&self, contact: &Contact, speaker: Speaker, text: &str) -> Vec<Violation> {
        if speaker != Speaker::Agent {
            return Vec::new();
        }
        let book = if on_return_visit(contact) {
            &self.visit
        } else {
            match Section::of(&contact.category) {
                Section::Consultation => &self.consultation,
                Section::Complaint => &self.complaint,
                Section::Repair => &self.repair,
            }
        };
        book.check(text)
    }
}

/// A contact is on a return visit once it is resolved and a visit was tried.
fn on_return_visit(contact: &Contact) -> bool {
    matches!(contact.state, State::Resolved | State::Closed) && contact.callbacks.iter().any(|c| c.attempts > 0)
}

fn book(config: &Config, never: &str, reply: &str) -> Phrasebook {
    Phrasebook::new()
        .rule(common::buck_passing(never, config.rude_points))
        .rule(common::rude(never, config.rude_points))
        .rule(hanging_up(never, config.rude_points))
        .rule(common::arguing(never, config.rude_points))
        .rule(common::rash_promises(never, config.promise_points))
        .rule(common::vague(reply, config.vague_points))
        .rule(private_topics(config.private_points))
}

/// 不可摔电话: ending the call on the owner in words.
fn hanging_up(rule: &str, points: u32) -> PhraseRule {
    PhraseRule::new(rule, "不可摔电话、不可态度粗暴:等业主先挂机", points)
        .phrases(&["不跟你说了", "懒得跟你说", "没空跟你说", "没时间跟你耗", "我要挂了", "我挂了啊", "挂了啊"])
        .suggest("请问还有其他需求吗?感谢您的来电,再见!")
}

/// 4.j: 不纠缠、不对付、不说无关的话题、不谈业主/住户隐私的话题.
fn private_topics(points: u32) -> PhraseRule {
    PhraseRule::new(visit::PRIVATE, "不纠缠、不说无关的话题、不谈业主/住户隐私的话题", points)
        .phrases(&[
            "您结婚了吗",
            "结婚了没有",
            "您多大了",
            "您今年多大",
            "您多少岁",
            "您收入",
            "您工资",
            "月薪多少",
            "您家几口人",
            "家里几口人",
            "您老公是做什么",
            "您老婆是做什么",
            "您做什么工作",
            "您在哪上班",
            "房子多少钱买的",
            "您有男朋友吗",
            "您有女朋友吗",
        ])
        .suggest("只询问服务的使用情况和满意情况")
}
