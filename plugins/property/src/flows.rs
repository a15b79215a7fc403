//! The call and the department chain: answering (x.a), greeting (x.b),
//! asking (x.c), the reply promise (x.e), passing on / notifying (x.f),
//! telling the owner (x.g), checking / the centre's answer (x.h), the first
//! return visit (x.i) and the repeat complaint (x.j), where x is the
//! manual section of the contact's category (1 咨询, 2 投诉, 5 报修).
//!
//! Each time limit is a named deadline; the event that keeps it meets it,
//! and `deadline-passed` turns a missed one into a penalty under its rule.

use sopline_sdk::prelude::*;

use crate::config::Config;
use crate::rules::Section;
use crate::{DEPARTMENT_CHECKED, memory, scripts, visits};

/// The deadlines, by name as they appear in outcomes.
pub mod deadline {
    /// Pick up the ringing phone (x.a).
    pub const ANSWER: &str = "answer";
    /// Reply to the owner by the agreed time (x.e).
    pub const REPLY_OWNER: &str = "reply-owner";
    /// Pass the matter on after hanging up (1.f / 2.f / 5.f).
    pub const NOTIFY_DEPARTMENT: &str = "notify-department";
    /// Tell the owner who handles it (2.g / 5.g).
    pub const NOTIFY_OWNER: &str = "notify-owner";
    /// Check with the department (2.h / 5.h).
    pub const CHECK_DEPARTMENT: &str = "check-department";
    /// The department answers a consultation (1.h).
    pub const CENTRE_REPLY: &str = "centre-reply";
    /// Relay the department's answer to the owner (1.g).
    pub const RELAY_ANSWER: &str = "relay-answer";
    /// The first return visit (2.i / 5.i).
    pub const RETURN_VISIT: &str = "return-visit";
    /// Pass a problem from a return visit on (3.e).
    pub const RELAY_PROBLEM: &str = "relay-problem";
    /// Visit again about that problem (3.h).
    pub const FOLLOW_UP: &str = "follow-up";
}

use deadline::*;

/// The decision for one event.
pub fn on_event(config: &Config, c: &Contact, event: &Event, _now: Timestamp) -> Vec<Action> {
    let section = Section::of(&c.category);
    match event {
        Event::Opened => opened(config, c, section),
        Event::Answered(a) => answered(config, c, section, a),
        Event::Message(m) => greeting_check(config, c, section, m),
        Event::Classified(_) => [vec![requirement(section)], category_scripts(config, c, section)].concat(),
        Event::Ended(_) => ended(config, c, section),
        Event::HandedOff(h) => handed_off(config, c, section, h),
        Event::CustomerNotified(_) => vec![act::meet(NOTIFY_OWNER), act::meet(REPLY_OWNER), act::meet(RELAY_ANSWER)],
        Event::DepartmentReplied(r) => department_replied(config, c, section, r),
        Event::Custom(e) if e.kind == DEPARTMENT_CHECKED => vec![act::meet(CHECK_DEPARTMENT)],
        Event::Resolved(r) => resolved(config, c, section, r),
        Event::Reopened(reason) => reopened(config, c, section, reason),
        Event::CallbackAttempted(a) => visits::attempted(config, c, a),
        Event::CallbackDue(cb) => visits::due(config, c, cb),
        Event::DeadlinePassed(d) => deadline_passed(config, c, section, &d.name),
        _ => Vec::new(),
    }
}

/// The fields to know before handing off: the room (1.c), and for a repair
/// its nature, place and time (5.c).
fn requirement(section: Section) -> Action {
    match section {
        Section::Repair => act::require("handed_off", &["room", "nature", "place", "time"], &section.rule('c')),
        _ => act::require("handed_off", &["room"], &Section::Consultation.rule('c')),
    }
}

fn opened(config: &Config, c: &Contact, section: Section) -> Vec<Action> {
    let mut actions = vec![requirement(section)];
    if c.channel == Channel::Phone && c.state == State::Waiting {
        actions.insert(0, act::deadline(ANSWER, config.answer_within()));
    }
    actions
}

fn answered(config: &Config, c: &Contact, section: Section, a: &Answered) -> Vec<Action> {
    let mut actions = vec![act::meet(ANSWER)];
    let too_many_rings = a.rings.is_some_and(|r| r > config.max_rings);
    // Penalized once: here, whether the rings were counted or the ringing
    // outlasted the `answer` deadline (which only escalates while nobody
    // holds the call).
    if too_many_rings || c.was_missed(ANSWER) {
        let reason = match a.rings {
            Some(r) if too_many_rings => {
                format!("电话铃响{r}声才接起(标准:{}声内)", config.max_rings)
            }
            _ => format!("电话响铃超过{}未接起(标准:{}声内)", scripts::zh(&config.answer_within()), config.max_rings),
        };
        actions.push(act::penalize(&a.agent, config.answer_points, &section.rule('a'), &reason));
    }
    actions.push(scripts::show(config, "greeting", c));
    actions.push(scripts::show(config, "ask-surname", c));
    if c.field("room").is_none() {
        actions.push(scripts::show(config, "ask-room", c));
    }
    actions.extend(category_scripts(config, c, section));
    actions
}

/// The scripts that depend on the kind of call (2.c comfort, 5.c details, x.e reply time).
fn category_scripts(config: &Config, c: &Contact, section: Section) -> Vec<Action> {
    if !matches!(c.state, State::InProgress) {
        return Vec::new();
    }
    let mut actions = match section {
        Section::Consultation => vec![],
        Section::Complaint => vec![scripts::show(config, "comfort", c)],
        Section::Repair => vec![scripts::show(config, "ask-repair-details", c)],
    };
    actions.push(scripts::show(config, "agree-reply-time", c));
    actions
}

/// x.b: the agent's first words on an answered call are the standard greeting.
fn greeting_check(config: &Config, c: &Contact, section: Section, m: &Message) -> Vec<Action> {
    let first_words = m.from == Speaker::Agent
        && c.channel == Channel::Phone
        && c.answered_at.is_some()
        && c.memory(memory::GREETED).is_none()
        && c.callbacks.iter().all(|cb| cb.attempts == 0);
    if !first_words {
        return Vec::new();
    }
    let mut actions = vec![act::remember(memory::GREETED, "1")];
    if !(m.text.contains("您好") && m.text.contains("欢迎致电")) {
        let agent = m.agent.as_deref().unwrap_or(c.owner());
        let violation = Violation {
            rule: section.rule('b'),
            excerpt: m.text.chars().take(40).collect(),
            reason: "接听后未用标准服务用语进行问候".into(),
            suggestion: scripts::text(config, "greeting", c),
            points: config.greeting_points,
        };
        actions.push(act::violation(agent, violation));
    }
    actions
}

fn ended(config: &Config, c: &Contact, section: Section) -> Vec<Action> {
    if c.answered_at.is_none() {
        // The owner hung up while it rang: call back (首问负责制: never make them call twice).
        let id = visits::fresh_id(c, "missed-call");
        return vec![act::cancel(ANSWER), act::callback(&id, config.missed_call_callback, "未接来电回拨")];
    }
    if c.state != State::Pending {
        return Vec::new(); // answered on the spot (1.d): nothing to pass on
    }
    let mut actions = vec![act::deadline(REPLY_OWNER, scripts::reply_time(config, section))];
    if !handed_off_already(c) {
        let within = if section.is_service() { config.notify_department } else { config.consultation_pass_on };
        actions.push(act::deadline(NOTIFY_DEPARTMENT, within));
    }
    actions
}

fn handed_off_already(c: &Contact) -> bool {
    c.memory(memory::HANDED_TO).is_some_and(|to| !to.is_empty())
}

fn handed_off(config: &Config, c: &Contact, section: Section, h: &HandedOff) -> Vec<Action> {
    let mut actions = vec![act::meet(NOTIFY_DEPARTMENT), act::remember(memory::HANDED_TO, &h.to)];
    let room = c.field("room").unwrap_or("未登记房号");
    let notice = format!(
        "{}管理处前台转达:{} {}({})的{},请尽快处理并确定解决人。",
        config.property_name,
        room,
        sopline_sdk::common::address(c),
        c.customer.phone,
        section.noun()
    );
    actions.push(act::notify(&h.to, &notice));
    if matches!(c.state, State::Resolved | State::Closed) {
        // 3.e: a problem raised on a return visit was passed on (late or
        // not); the department chain of the call does not start again.
        actions.push(act::meet(RELAY_PROBLEM));
        return actions;
    }
    if section.is_service() {
        let known = with_memory(c, memory::HANDED_TO, &h.to);
        actions.push(act::deadline(NOTIFY_OWNER, config.notify_owner));
        actions.push(act::deadline(CHECK_DEPARTMENT, config.check_department));
        actions.push(scripts::show(config, "notify-result", &known));
    } else {
        actions.push(act::deadline(CENTRE_REPLY, config.centre_reply));
    }
    actions
}

fn department_replied(config: &Config, c: &Contact, section: Section, r: &DepartmentReplied) -> Vec<Action> {
    let mut actions = vec![act::meet(CHECK_DEPARTMENT)];
    if section.is_service() || (!c.is_pending(CENTRE_REPLY) && !c.was_missed(CENTRE_REPLY)) {
        return actions;
    }
    let known = with_memory(c, memory::REPLY_TEXT, &r.text);
    actions.push(act::meet(CENTRE_REPLY));
    actions.push(act::remember(memory::REPLY_TEXT, &r.text));
    actions.push(act::deadline(RELAY_ANSWER, config.relay_answer));
    actions.push(scripts::show(config, "answer-result", &known));
    actions
}

fn resolved(config: &Config, c: &Contact, section: Section, r: &Resolved) -> Vec<Action> {
    let mut actions = Vec::new();
    if r.on_first_contact && c.ended_at.is_none() {
        actions.push(scripts::show(config, "closing", c));
    }
    if section.is_service() {
        actions.extend(visits::first_visit(config, c));
    }
    actions
}

/// 2.j / 5.j: the owner complains again; a breach when a time limit had been
/// missed (each missed limit is charged once). The chain starts over.
fn reopened(config: &Config, c: &Contact, section: Section, reason: &str) -> Vec<Action> {
    let rule = if section == Section::Repair { section.rule('j') } else { Section::Complaint.rule('j') };
    let misses: Vec<&str> = c
        .deadlines
        .iter()
        .filter(|d| d.status == DeadlineStatus::Missed && d.name != ANSWER)
        .map(|d| label(&d.name))
        .collect();
    let charged: usize = c.memory(memory::CHARGED_MISSES).and_then(|n| n.parse().ok()).unwrap_or(0);
    let mut actions = Vec::new();
    if misses.len() > charged {
        let why = format!("规定时间内服务没有到位({}),引起业主再投诉:{reason}", misses[charged..].join("、"));
        actions.push(act::penalize(c.owner(), config.repeat_complaint_points, &rule, &why));
        actions.push(act::escalate("supervisor", &config.supervisor, &why));
        actions.push(act::remember(memory::CHARGED_MISSES, &misses.len().to_string()));
    }
    actions.push(act::remember(memory::HANDED_TO, ""));
    actions.extend(visits::cancel_pending(c));
    actions.push(scripts::show(config, "apology", c));
    actions
}

fn deadline_passed(config: &Config, c: &Contact, section: Section, name: &str) -> Vec<Action> {
    let late = |letter: char, what: &str| {
        let rule = section.rule(letter);
        vec![act::penalize(c.owner(), config.late_points, &rule, what)]
    };
    match name {
        ANSWER if c.agent.is_none() => {
            let why = format!("来电响铃超过{}声无人接听", config.max_rings);
            vec![act::escalate("supervisor", &config.supervisor, &why)]
        }
        REPLY_OWNER => late('e', "未在约定的回复时间内回复业主"),
        NOTIFY_DEPARTMENT => late('f', "挂机后未在规定时间内通知相关部门"),
        NOTIFY_OWNER => late('g', "通知相关部门后未在规定时间内回复业主通知结果"),
        RELAY_ANSWER => late('g', "收到中心回话后未在规定时间内回复业主"),
        CHECK_DEPARTMENT => late('h', "未在规定时间内联系相关部门督察服务开展情况"),
        CENTRE_REPLY => {
            let to = c.memory(memory::HANDED_TO).filter(|t| !t.is_empty()).unwrap_or(&config.supervisor);
            vec![
                act::escalate("supervisor", &config.supervisor, "相关部门未在规定时间内答复业主的咨询"),
                act::notify(to, "业主的咨询已超过答复时限,请立即答复管理处前台。"),
            ]
        }
        RETURN_VISIT => late('i', "未在规定时间内回访业主"),
        _ => visits::deadline_passed(config, c, name),
    }
}

/// A deadline as a supervisor reads it in a reason.
fn label(name: &str) -> &str {
    match name {
        REPLY_OWNER => "约定回复时间",
        NOTIFY_DEPARTMENT => "通知相关部门",
        NOTIFY_OWNER => "回复业主通知结果",
        CHECK_DEPARTMENT => "督察服务开展情况",
        CENTRE_REPLY => "中心答复",
        RELAY_ANSWER => "回复中心回话内容",
        RETURN_VISIT => "24小时内回访",
        RELAY_PROBLEM => "转达回访问题",
        FOLLOW_UP => "回访问题解决情况",
        other => other,
    }
}

/// The contact as it will be once `key` is remembered (memory is applied
/// after the actions, but scripts shown now should already use it).
fn with_memory(c: &Contact, key: &str, value: &str) -> Contact {
    let mut known = c.clone();
    known.memory.retain(|(k, _)| k != key);
    known.memory.push((key.into(), value.into()));
    known
}
