//! Tiered complaints (manual 003, 分级响应): a normal complaint is handled by
//! the front line within 1 hour (EC-C1); a major one (a serious quality
//! problem, or one the front line cannot solve) goes to the special team,
//! which gives a solution within 24 hours (EC-C2). The scripts follow 001:
//! apologise and calm, ask the cause, propose a solution.

use sopline_sdk::act;
use sopline_sdk::prelude::*;

use super::names::{COMPLAINT_FRONT_LINE, SPECIAL_TEAM_SOLUTION};
use crate::config::Config;
use crate::scripts;

pub fn on_event(cfg: &Config, contact: &Contact, event: &Event, out: &mut Vec<Action>) {
    let complaint = contact.category == "complaint";
    match event {
        Event::Opened if complaint => start(cfg, contact, out),
        Event::Answered(_) if complaint => out.extend(scripts::show(cfg, "apology", contact)),
        Event::Classified(c) if c.category == "complaint" => {
            if contact.deadline(COMPLAINT_FRONT_LINE).is_none() && c.severity == Severity::Normal {
                out.extend(scripts::show(cfg, "apology", contact));
            }
            start(cfg, contact, out);
        }
        Event::EscalationRequested(e) if complaint => {
            escalate(cfg, contact, &format!("一线无法解决:{}", e.reason), out)
        }
        Event::Reopened(_) if complaint => {
            out.extend(scripts::show(cfg, "apology", contact));
            let fresh = !contact.is_pending(COMPLAINT_FRONT_LINE) && !contact.is_pending(SPECIAL_TEAM_SOLUTION);
            if fresh {
                if contact.severity == Severity::Major || contact.deadline(SPECIAL_TEAM_SOLUTION).is_some() {
                    escalate(cfg, contact, "买家再次投诉", out);
                } else {
                    out.push(deadline(cfg, COMPLAINT_FRONT_LINE, cfg.complaint_front_line_within));
                }
            }
        }
        Event::DepartmentReplied(r) if r.from == cfg.special_team && contact.is_pending(SPECIAL_TEAM_SOLUTION) => {
            out.push(act::meet(SPECIAL_TEAM_SOLUTION));
            out.extend(scripts::show(cfg, "complaint-solution", contact));
        }
        Event::Resolved(_) => {
            for name in [COMPLAINT_FRONT_LINE, SPECIAL_TEAM_SOLUTION] {
                if contact.is_pending(name) {
                    out.push(act::meet(name));
                }
            }
        }
        Event::DeadlinePassed(d) if d.name == COMPLAINT_FRONT_LINE => {
            out.push(act::penalize("", cfg.complaint_front_line_points, "EC-C1", "一般投诉没有在时限内由一线处理完毕"));
            out.push(act::escalate("supervisor", &cfg.supervisor, "EC-C1 一般投诉超过一线处理时限"));
        }
        Event::DeadlinePassed(d) if d.name == SPECIAL_TEAM_SOLUTION => {
            out.push(act::escalate("manager", &cfg.manager, "EC-C2 专项小组超过时限仍未给出解决方案"));
        }
        _ => {}
    }
}

/// Starts the tier the complaint's severity calls for, once.
fn start(cfg: &Config, contact: &Contact, out: &mut Vec<Action>) {
    if contact.severity == Severity::Major {
        escalate(cfg, contact, "重大投诉", out);
    } else if contact.deadline(COMPLAINT_FRONT_LINE).is_none() && contact.deadline(SPECIAL_TEAM_SOLUTION).is_none() {
        out.push(deadline(cfg, COMPLAINT_FRONT_LINE, cfg.complaint_front_line_within));
    }
}

/// Hands the complaint to the special team with its solution deadline.
fn escalate(cfg: &Config, contact: &Contact, why: &str, out: &mut Vec<Action>) {
    if contact.is_pending(SPECIAL_TEAM_SOLUTION) {
        return;
    }
    if contact.is_pending(COMPLAINT_FRONT_LINE) {
        out.push(act::cancel(COMPLAINT_FRONT_LINE));
    }
    let within = scripts::human_span(&cfg.special_team_within);
    out.push(act::escalate("special-team", &cfg.special_team, &format!("EC-C2 {why},升级专项小组")));
    out.push(deadline(cfg, SPECIAL_TEAM_SOLUTION, cfg.special_team_within));
    out.push(act::notify(&cfg.special_team, &format!("{why}(联系 {}):请在{within}内给出解决方案", contact.id)));
    out.extend(scripts::show(cfg, "special-team", contact));
}

fn deadline(cfg: &Config, name: &str, after: Span) -> Action {
    if cfg.complaint_business_time { act::business_deadline(name, after) } else { act::deadline(name, after) }
}
