//! Replying in time: the 30-second first response in chat (EC-R1), a reply
//! after "请稍等" (EC-T3, 不能无故终止:告知客户稍等后无任何回复), an answer to
//! every question (EC-R2, 有问必答), and calming an upset buyer.

use sopline_sdk::act;
use sopline_sdk::prelude::*;

use super::names::{ANSWER_QUESTION, FIRST_RESPONSE, HOLD_REPLY};
use crate::config::Config;
use crate::scripts;

/// Words that put a buyer on hold.
const HOLD_WORDS: &[&str] = &["稍等", "稍候", "等一下", "等一等", "等我一下"];

/// Signs that a buyer's message asks something.
const QUESTION_WORDS: &[&str] = &[
    "?",
    "？",
    "吗",
    "怎么",
    "多少",
    "什么",
    "几天",
    "几号",
    "哪",
    "能不能",
    "可不可以",
    "有没有",
    "是不是",
    "会不会",
    "如何",
    "为啥",
    "为什么",
];

/// Signs that a buyer is upset.
const ANGER_WORDS: &[&str] = &[
    "气死",
    "投诉你们",
    "差评",
    "骗子",
    "垃圾",
    "太差",
    "什么破",
    "坑人",
    "坑爹",
    "退钱",
    "欺骗",
    "忽悠",
    "太过分",
    "恶心",
    "无语",
];

pub fn on_event(cfg: &Config, contact: &Contact, event: &Event, out: &mut Vec<Action>) {
    let chat = contact.channel == Channel::Chat;
    match event {
        Event::Opened if chat && !cfg.first_response_from_customer_message => {
            out.push(act::deadline(FIRST_RESPONSE, cfg.first_response_within));
        }
        Event::Answered(_) => out.extend(scripts::show(cfg, "greeting", contact)),
        Event::Message(m) if m.from == Speaker::Customer => {
            if chat && cfg.first_response_from_customer_message && contact.deadline(FIRST_RESPONSE).is_none() {
                out.push(act::deadline(FIRST_RESPONSE, cfg.first_response_within));
            } else if chat
                && is_question(&m.text)
                && !contact.is_pending(FIRST_RESPONSE)
                && !contact.is_pending(ANSWER_QUESTION)
            {
                out.push(act::deadline(ANSWER_QUESTION, cfg.answer_question_within));
            }
            if ANGER_WORDS.iter().any(|w| m.text.contains(w)) {
                out.extend(scripts::show(cfg, "calm-buyer", contact));
            }
        }
        Event::Message(m) => {
            for name in [FIRST_RESPONSE, ANSWER_QUESTION, HOLD_REPLY] {
                if contact.is_pending(name) {
                    out.push(act::meet(name));
                }
            }
            if HOLD_WORDS.iter().any(|w| m.text.contains(w)) {
                out.push(act::deadline(HOLD_REPLY, cfg.hold_reply_within));
                out.push(act::remember("hold_message", &m.text));
            }
        }
        Event::Closed(agent) => {
            for name in [FIRST_RESPONSE, ANSWER_QUESTION] {
                if contact.is_pending(name) {
                    out.push(act::cancel(name));
                }
            }
            if contact.is_pending(HOLD_REPLY) {
                out.push(act::cancel(HOLD_REPLY));
                let who = super::agent_of(contact, Some(agent.as_str()));
                out.push(hold_violation(cfg, contact, &who, "告知买家稍等后没有回复就结束了会话"));
            }
        }
        Event::DeadlinePassed(d) if d.name == FIRST_RESPONSE => {
            if contact.owner().is_empty() {
                out.push(act::escalate("supervisor", &cfg.supervisor, "EC-R1 在线咨询超过首响时限仍无客服接待"));
            } else {
                out.push(act::penalize("", cfg.first_response_points, "EC-R1", "在线咨询首次响应超时"));
            }
        }
        Event::DeadlinePassed(d) if d.name == HOLD_REPLY => {
            out.push(hold_violation(cfg, contact, contact.owner(), "告知买家稍等后超时没有回复"));
        }
        Event::DeadlinePassed(d) if d.name == ANSWER_QUESTION => {
            out.push(act::penalize("", cfg.answer_question_points, "EC-R2", "买家的问题没有在时限内回复(有问必答)"));
        }
        _ => {}
    }
}

/// EC-T3 as a violation, quoting the message that put the buyer on hold.
fn hold_violation(cfg: &Config, contact: &Contact, agent: &str, what: &str) -> Action {
    let excerpt = contact.memory("hold_message").unwrap_or("请稍等").to_string();
    act::violation(
        agent,
        Violation {
            rule: "EC-T3".into(),
            excerpt,
            reason: format!("八大禁忌第3条 不能无故终止:{what}"),
            suggestion: scripts::render(cfg, "hold-return", contact),
            points: cfg.hold_points,
        },
    )
}

fn is_question(text: &str) -> bool {
    QUESTION_WORDS.iter().any(|w| text.contains(w))
}
