//! The satisfaction callback (满意度回访) within 24 hours of resolution
//! (EC-F1), a reward when the buyer is satisfied (EC-F2), and reporting to a
//! supervisor when not (001: 不满意再询问投诉者解决想法—汇报上级领导—回访).

use sopline_sdk::act;
use sopline_sdk::prelude::*;

use super::names::SATISFACTION;
use crate::config::Config;
use crate::scripts;

pub fn on_event(cfg: &Config, contact: &Contact, event: &Event, out: &mut Vec<Action>) {
    match event {
        Event::Resolved(_) => {
            out.extend(scripts::show(cfg, "closing", contact));
            out.push(act::callback(
                SATISFACTION,
                cfg.satisfaction_callback_within,
                "满意度回访:确认买家对处理结果是否满意(EC-F1)",
            ));
        }
        Event::Reopened(_) if contact.callback(SATISFACTION).is_some_and(|c| c.status == CallbackStatus::Pending) => {
            out.push(act::cancel_callback(SATISFACTION));
        }
        Event::CallbackDue(cb) if cb.id == SATISFACTION => {
            out.push(act::penalize(
                "",
                cfg.satisfaction_callback_points,
                "EC-F1",
                "问题解决后没有在时限内完成满意度回访",
            ));
            out.push(act::notify(&cfg.supervisor, &format!("联系 {} 的满意度回访已超时", contact.id)));
        }
        Event::CallbackAttempted(a) if which(contact, &a.callback, &a.outcome) == Some(SATISFACTION) => {
            match a.outcome.as_str() {
                "satisfied" if cfg.satisfied_reward_points > 0 => {
                    out.push(act::reward(&a.agent, cfg.satisfied_reward_points, "EC-F2", "满意度回访:买家满意"));
                }
                "unsatisfied" => {
                    out.extend(scripts::show(cfg, "callback-unsatisfied", contact));
                    out.push(act::escalate("supervisor", &cfg.supervisor, "EC-F1 满意度回访:买家不满意,汇报主管"));
                }
                _ => {}
            }
        }
        _ => {}
    }
}

/// The callback an attempt was about: the named one, else the one this
/// attempt just updated (the host picks the earliest pending when unnamed).
fn which<'a>(contact: &'a Contact, id: &'a str, outcome: &str) -> Option<&'a str> {
    if !id.is_empty() {
        return Some(id);
    }
    contact
        .callbacks
        .iter()
        .filter(|c| c.attempts > 0 && c.last_outcome.as_deref() == Some(outcome))
        .min_by_key(|c| c.due)
        .map(|c| c.id.as_str())
}
