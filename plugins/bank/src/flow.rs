//! The decisions: what follows each event of a bank contact.
//!
//! Stateless between calls: everything the plugin needs to know about the
//! past is in the contact snapshot — its deadlines (a complaint was accepted
//! when `complaint-accept` exists), its callbacks (how many survey calls were
//! tried) and its memory (`escalation-level`, `escalated-to`,
//! `department-reply`, `incident`).
//!
//! Deadlines this plugin sets:
//! - `complaint-accept` (business): tell the customer the complaint is accepted;
//! - `complaint-handle` (business, or natural for major incidents): the
//!   handling department gives its answer;
//! - `complaint-reply` (business): the customer hears the answer;
//! - `escalation-response` (natural): the current rung of the ladder responds;
//! - `survey` (business): the satisfaction survey is done.

use sopline_sdk::act;
use sopline_sdk::contact::ContactExt;
use sopline_sdk::{Action, CallbackInfo, CallbackStatus, Contact, DeadlineStatus, Event, Severity, Timestamp};

use crate::config::Config;
use crate::manifest::rule;
use crate::privacy;
use crate::scripts;

const ACCEPT: &str = "complaint-accept";
const HANDLE: &str = "complaint-handle";
const REPLY: &str = "complaint-reply";
const ESCALATION: &str = "escalation-response";
const SURVEY: &str = "survey";

/// Memory keys.
const LEVEL: &str = "escalation-level";
const ESCALATED_TO: &str = "escalated-to";
const DEPARTMENT_REPLY: &str = "department-reply";
const INCIDENT: &str = "incident";

/// What follows `event`.
pub fn on_event(cfg: &Config, c: &Contact, event: &Event, _now: Timestamp) -> Vec<Action> {
    let mut out = Vec::new();
    match event {
        Event::Opened => {
            if is_complaint(c) {
                out.extend(start_complaint(cfg, c));
            }
            if is_incident(c) {
                out.extend(escalate_incident(cfg, c, "重大事件:来电即按事故应急预案处理"));
            }
        }
        Event::Answered(_) => {
            out.push(show(cfg, "greeting", c));
            out.push(show(cfg, "identity-check", c));
            if is_complaint(c) {
                out.push(show(cfg, "apology", c));
                out.push(show(cfg, "complaint-acceptance", c));
            }
        }
        Event::Identified(_) => out.push(show(cfg, "identity-confirmed", c)),
        Event::FieldSet(f) if f.name == privacy::CALLER_FIELD && privacy::caller_is_third_party(c) => {
            out.push(show(cfg, "third-party-refusal", c));
        }
        Event::Classified(_) => {
            if is_complaint(c) && c.deadline(ACCEPT).is_none() {
                out.extend(start_complaint(cfg, c));
                if c.answered_at.is_some() {
                    out.push(show(cfg, "apology", c));
                    out.push(show(cfg, "complaint-acceptance", c));
                }
            }
            if is_incident(c) && level(c) < cfg.major_entry_level {
                if c.is_pending(HANDLE) {
                    // Reschedules the running deadline on the incident clock.
                    out.push(act::deadline(HANDLE, cfg.major_handle_within));
                }
                out.extend(escalate_incident(cfg, c, "定级为重大事件"));
            }
        }
        Event::Custom(e) if e.kind == "incident_reported" => {
            out.push(act::remember(INCIDENT, "yes"));
            let summary = e.fields.iter().find(|(k, _)| k == "summary").map_or("", |(_, v)| v.as_str());
            if level(c) < cfg.major_entry_level {
                out.extend(escalate_incident(cfg, c, &format!("报告事故:{summary}")));
            }
        }
        Event::CustomerNotified(_) => out.push(act::meet(ACCEPT)),
        Event::DepartmentReplied(r) => {
            out.push(act::meet(HANDLE));
            out.push(act::meet(ESCALATION));
            out.push(act::remember(DEPARTMENT_REPLY, &r.text));
            if is_complaint(c) {
                out.push(act::business_deadline(REPLY, cfg.reply_within));
                let text = scripts::render_with(cfg, "complaint-reply", c, &[("处理意见", &r.text)]);
                out.push(act::script("complaint-reply", &text.unwrap_or_default()));
            }
        }
        Event::EscalationRequested(e) => {
            out.extend(escalate_to(cfg, c, level(c) + 1, &format!("坐席请求升级:{}", e.reason)));
        }
        Event::Resolved(_) => {
            for name in [ACCEPT, HANDLE, REPLY, ESCALATION] {
                out.push(act::meet(name));
            }
            if c.ended_at.is_none() {
                out.push(show(cfg, "closing", c));
            }
            if is_complaint(c) || is_incident(c) || cfg.survey_every_contact {
                out.push(act::callback(SURVEY, cfg.survey_after, "满意度回访"));
                out.push(act::business_deadline(SURVEY, cfg.survey_within));
            }
        }
        Event::CallbackDue(cb) if is_survey(&cb.id) => out.push(show(cfg, "survey-opening", c)),
        Event::CallbackAttempted(a) => out.extend(survey_attempt(cfg, c, &a.callback, &a.outcome)),
        Event::Reopened(reason) => {
            if is_complaint(c) {
                out.push(handle_deadline(cfg, c));
            }
            out.extend(escalate_to(cfg, c, level(c) + 1, &format!("客户再次投诉:{reason}")));
        }
        Event::DeadlinePassed(d) => out.extend(deadline_passed(cfg, c, &d.name)),
        Event::Closed(_) => {
            // Nothing more to do: stop the clocks, except the survey, which
            // closing early does not excuse.
            for d in c.deadlines.iter().filter(|d| d.status == DeadlineStatus::Pending && d.name != SURVEY) {
                out.push(act::cancel(&d.name));
            }
        }
        _ => {}
    }
    out
}

fn is_complaint(c: &Contact) -> bool {
    c.category == "complaint"
}

/// Incidents take the emergency route (事故应急预案): a major severity, a
/// fraud report, or an incident reported during the contact.
fn is_incident(c: &Contact) -> bool {
    c.severity == Severity::Major || c.category == "fraud" || c.memory(INCIDENT) == Some("yes")
}

fn is_survey(id: &str) -> bool {
    id == SURVEY || id.starts_with("survey-")
}

/// The rung reached so far (0 = not escalated).
fn level(c: &Contact) -> usize {
    c.memory(LEVEL).and_then(|l| l.parse().ok()).unwrap_or(0)
}

fn show(cfg: &Config, scene: &str, c: &Contact) -> Action {
    act::script(scene, &scripts::render(cfg, scene, c).unwrap_or_default())
}

fn handle_deadline(cfg: &Config, c: &Contact) -> Action {
    if is_incident(c) {
        act::deadline(HANDLE, cfg.major_handle_within)
    } else {
        act::business_deadline(HANDLE, cfg.handle_within)
    }
}

fn start_complaint(cfg: &Config, c: &Contact) -> Vec<Action> {
    let mut out = vec![act::business_deadline(ACCEPT, cfg.accept_within), handle_deadline(cfg, c)];
    if !cfg.complaint_fields.is_empty() {
        let fields: Vec<&str> = cfg.complaint_fields.iter().map(String::as_str).collect();
        out.push(act::require("handed_off", &fields, rule::COMPLAINT_REGISTERED));
        out.push(act::require("resolved", &fields, rule::COMPLAINT_REGISTERED));
    }
    out
}

/// A major incident goes straight to the entry rung, with the emergency script.
fn escalate_incident(cfg: &Config, c: &Contact, reason: &str) -> Vec<Action> {
    let target = cfg.major_entry_level.max(level(c) + 1);
    let mut out = escalate_to(cfg, c, target, reason);
    let to = &cfg.rung(target).to;
    let text = scripts::render_with(cfg, "emergency", c, &[("上报对象", to)]).unwrap_or_default();
    out.push(act::script("emergency", &text));
    out
}

/// Escalate to a rung (1-based); past the top, tell the top rung again.
fn escalate_to(cfg: &Config, c: &Contact, target: usize, reason: &str) -> Vec<Action> {
    if target > cfg.ladder.len() {
        let top = cfg.rung(cfg.ladder.len());
        return vec![act::notify(&top.to, &format!("{}(已在升级阶梯最高级,受理编号 {})", reason, c.id))];
    }
    let rung = cfg.rung(target);
    vec![
        act::escalate(&rung.level, &rung.to, reason),
        act::remember(LEVEL, &target.to_string()),
        act::remember(ESCALATED_TO, &rung.to),
        act::deadline(ESCALATION, cfg.escalation_response_within),
    ]
}

fn deadline_passed(cfg: &Config, c: &Contact, name: &str) -> Vec<Action> {
    let owner = c.owner();
    let late = cfg.late_complaint_points;
    let duty = &cfg.rung(1).to;
    match name {
        ACCEPT => vec![
            act::penalize(
                owner,
                late,
                rule::COMPLAINT_ACCEPTED,
                &format!("投诉未在{}内告知客户已受理", scripts::human(cfg.accept_within, true)),
            ),
            act::notify(duty, &format!("投诉 {} 超时未受理,请督办", c.id)),
        ],
        HANDLE => {
            let mut out = vec![act::penalize(owner, late, rule::COMPLAINT_HANDLED, "投诉未在处理时限内得到处理意见")];
            out.extend(escalate_to(cfg, c, level(c) + 1, "投诉处理超时"));
            out
        }
        REPLY => vec![
            act::penalize(
                owner,
                late,
                rule::COMPLAINT_REPLIED,
                &format!("处理意见未在{}内答复客户", scripts::human(cfg.reply_within, true)),
            ),
            act::notify(duty, &format!("投诉 {} 的处理结果超时未答复客户,请督办", c.id)),
        ],
        ESCALATION => {
            let current = c.memory(ESCALATED_TO).unwrap_or("上一级");
            escalate_to(
                cfg,
                c,
                level(c) + 1,
                &format!("{current}未在{}内响应", scripts::human(cfg.escalation_response_within, false)),
            )
        }
        SURVEY => vec![act::penalize(
            owner,
            cfg.late_survey_points,
            rule::SURVEY,
            &format!("办结后{}内未完成满意度回访", scripts::human(cfg.survey_within, true)),
        )],
        _ => Vec::new(),
    }
}

fn survey_attempt(cfg: &Config, c: &Contact, id: &str, outcome: &str) -> Vec<Action> {
    let Some(cb) = attempted_survey(c, id, outcome) else {
        return Vec::new();
    };
    let owner = c.owner();
    match outcome {
        "satisfied" => vec![
            act::meet(SURVEY),
            act::reward(owner, cfg.satisfied_points, rule::SATISFIED, "满意度回访:客户表示满意"),
        ],
        "unsatisfied" => {
            let mut out = vec![act::meet(SURVEY)];
            out.extend(escalate_to(cfg, c, level(c) + 1, "满意度回访:客户对处理结果不满意"));
            out
        }
        "no_answer" => {
            let tried: u32 = c.callbacks.iter().filter(|k| is_survey(&k.id)).map(|k| k.attempts).sum();
            let mut out = vec![act::cancel_callback(&cb.id)];
            if tried < cfg.survey_max_attempts {
                out.push(act::callback(
                    &format!("survey-{}", tried + 1),
                    cfg.survey_retry_after,
                    "满意度回访(未接通重拨)",
                ));
            } else {
                out.push(act::cancel(SURVEY));
                out.push(act::notify(
                    &cfg.rung(1).to,
                    &format!("满意度回访已拨打{tried}次均未接通(受理编号 {})", c.id),
                ));
            }
            out
        }
        _ => vec![act::meet(SURVEY)],
    }
}

/// The survey callback an attempt applies to: the named one, or else the
/// earliest one this outcome was just booked on (the host applies an attempt
/// without an id to the earliest pending callback; `no_answer` leaves it pending).
fn attempted_survey<'a>(c: &'a Contact, id: &str, outcome: &str) -> Option<&'a CallbackInfo> {
    if !id.is_empty() {
        return c.callback(id).filter(|cb| is_survey(&cb.id));
    }
    let still_pending = outcome == "no_answer";
    c.callbacks
        .iter()
        .filter(|cb| is_survey(&cb.id) && cb.last_outcome.as_deref() == Some(outcome))
        .filter(|cb| (cb.status == CallbackStatus::Pending) == still_pending)
        .min_by_key(|cb| cb.due)
}
