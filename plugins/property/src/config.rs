//! The department's parameters: every number of the manual, named so an
//! administrator can change it in `rules/departments/*.toml`.
//!
//! Where the scanned manual lost a number (1.f "分钟内将问题转交", 2.e
//! "确定回复时间。()", 3.a "后内第一次回访", 4.e/4.f "后天内第二/三次回访") the default is
//! our choice and the description says so.

use sopline_sdk::params::{duration, integer, text};
use sopline_sdk::{ParamSpec, Params, Span};

/// The parameters in the manifest, with defaults and descriptions.
pub fn specs() -> Vec<ParamSpec> {
    vec![
        text(
            "property_name",
            "红树西岸",
            "The property's name in the greeting: 您好,欢迎致电{物业名称}管理处前台客服 (manual 1.b).",
        ),
        integer(
            "max_rings",
            3,
            "An incoming call must be picked up within this many rings (manual 1.a/2.a/5.a: 电话铃响三声内接起).",
        ),
        duration(
            "ring_length",
            "5s",
            "How long one ring lasts. A call still ringing after max_rings × ring_length counts as not answered in time.",
        ),
        duration(
            "consultation_reply",
            "24h",
            "A consultation that cannot be answered on the spot: the reply time promised to the owner (1.e: 约定回复时间,24小时内).",
        ),
        duration(
            "consultation_pass_on",
            "10m",
            "After hanging up, pass an open consultation on to the handling department within this time (1.f; the manual's number was lost, 10 minutes chosen to match 2.f).",
        ),
        duration(
            "centre_reply",
            "24h",
            "The department answers a passed-on consultation within this time (1.h: 中心24小时内予以回复); late answers are escalated.",
        ),
        duration(
            "relay_answer",
            "3h",
            "Relay the department's answer to the owner within this time after it arrives (1.g: 3个小时内回复).",
        ),
        duration(
            "complaint_reply",
            "1h",
            "A complaint not solved on the phone: the reply time promised to the owner (2.e; the manual's number was lost, 1 hour chosen after manual 003: a normal complaint is handled by the front line within 1 hour).",
        ),
        duration(
            "repair_reply",
            "30m",
            "A repair or emergency not solved on the phone: the reply time promised to the owner (5.e: 半小时内).",
        ),
        duration(
            "notify_department",
            "10m",
            "After hanging up, notify the department that handles a complaint or repair within this time (2.f/5.f: 放下电话后10分钟内).",
        ),
        duration(
            "notify_owner",
            "20m",
            "After notifying the department, tell the owner who handles it within this time (2.g/5.g: 20分钟内回复业主).",
        ),
        duration(
            "check_department",
            "2h",
            "Check with the department how the work goes within this time after notifying it (2.h/5.h: 1-2个小时内; the latest of the two).",
        ),
        duration(
            "return_visit_within",
            "24h",
            "The first return visit asking about satisfaction is made within this time after the service is resolved (2.i/5.i: 24小时内回访).",
        ),
        duration(
            "visit_after",
            "2h",
            "When a return visit (first visit or follow-up) appears in the agents' queue, counted from the resolution or from relaying the owner's problem (3.a; the manual's number was lost, 2 hours chosen). Must not exceed return_visit_within and follow_up_within.",
        ),
        duration(
            "no_answer_retry",
            "2h",
            "Nobody answered a return visit: call again after this time (3.b: 无人则下次再打).",
        ),
        integer(
            "visit_attempts",
            3,
            "How many times a return visit is tried when nobody answers before the supervisor is told.",
        ),
        duration(
            "relay_problem",
            "1h",
            "A problem the owner raises on a return visit is passed on to the department within this time (3.e/4.h: 1小时内转达).",
        ),
        duration(
            "follow_up_within",
            "24h",
            "After relaying such a problem, visit again about how it was solved within this time (3.h/4.i: 24小时内回访问题解决情况).",
        ),
        integer(
            "visits",
            3,
            "Return visits on the cadence when the owner is satisfied: 1 = only the first visit, 2 or 3 add the second and third visits (4.e/4.f).",
        ),
        duration(
            "second_visit_after",
            "3d",
            "The second return visit, counted from a satisfied first visit (4.e; the manual's number was lost, 3 days chosen after 4.a: 三天内).",
        ),
        duration(
            "third_visit_after",
            "7d",
            "The third return visit, counted from a satisfied second visit (4.f; the manual's number was lost, 7 days chosen).",
        ),
        duration(
            "missed_call_callback",
            "10m",
            "A caller who hung up before anyone answered is called back within this time (首问负责制: the owner never has to call twice).",
        ),
        text(
            "supervisor",
            "客服主管",
            "Who receives escalations: a late department answer, a repeat complaint, a return visit that nobody answers.",
        ),
        integer("answer_points", 2, "Penalty points for a call not answered within max_rings (1.a/2.a/5.a)."),
        integer(
            "greeting_points",
            1,
            "Penalty points when the first words of an answered call are not the standard greeting (1.b/2.b/5.b).",
        ),
        integer(
            "late_points",
            2,
            "Penalty points for each time limit of the front desk that is missed (pass on, notify, tell the owner, check, reply, return visit, relay, follow-up).",
        ),
        integer(
            "repeat_complaint_points",
            10,
            "Penalty points when the owner complains again after a time limit was missed (2.j/5.j: 再投诉).",
        ),
        integer(
            "rude_points",
            5,
            "Penalty points for contradicting, arguing, being rude or passing the buck (1.i/2.k/3.j; 首问负责制).",
        ),
        integer("promise_points", 3, "Penalty points for a promise at will (1.i/2.k/3.j: 不可随意许诺)."),
        integer(
            "vague_points",
            1,
            "Penalty points for a vague reply time instead of an agreed one (1.e/2.e/5.e; manual 003: 大概3天到 → 预计3个工作日送达).",
        ),
        integer(
            "private_points",
            2,
            "Penalty points for private topics or pestering on a return visit (4.j: 不谈业主隐私的话题).",
        ),
        integer(
            "satisfied_reward",
            2,
            "Reward points for the owner of a contact whose return visit finds the owner satisfied (3.c).",
        ),
    ]
}

/// The parameters, typed and checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub property_name: String,
    pub max_rings: u32,
    pub ring_length: Span,
    pub consultation_reply: Span,
    pub consultation_pass_on: Span,
    pub centre_reply: Span,
    pub relay_answer: Span,
    pub complaint_reply: Span,
    pub repair_reply: Span,
    pub notify_department: Span,
    pub notify_owner: Span,
    pub check_department: Span,
    pub return_visit_within: Span,
    pub visit_after: Span,
    pub no_answer_retry: Span,
    pub visit_attempts: u32,
    pub relay_problem: Span,
    pub follow_up_within: Span,
    pub visits: u32,
    pub second_visit_after: Span,
    pub third_visit_after: Span,
    pub missed_call_callback: Span,
    pub supervisor: String,
    pub answer_points: u32,
    pub greeting_points: u32,
    pub late_points: u32,
    pub repeat_complaint_points: u32,
    pub rude_points: u32,
    pub promise_points: u32,
    pub vague_points: u32,
    pub private_points: u32,
    pub satisfied_reward: u32,
}

impl Config {
    /// Reads and checks the parameters; an error names the bad key.
    pub fn from_params(p: &Params) -> Result<Config, String> {
        let config = Config {
            property_name: p.text("property_name")?,
            max_rings: p.count("max_rings")?,
            ring_length: p.duration("ring_length")?,
            consultation_reply: p.duration("consultation_reply")?,
            consultation_pass_on: p.duration("consultation_pass_on")?,
            centre_reply: p.duration("centre_reply")?,
            relay_answer: p.duration("relay_answer")?,
            complaint_reply: p.duration("complaint_reply")?,
            repair_reply: p.duration("repair_reply")?,
            notify_department: p.duration("notify_department")?,
            notify_owner: p.duration("notify_owner")?,
            check_department: p.duration("check_department")?,
            return_visit_within: p.duration("return_visit_within")?,
            visit_after: p.duration("visit_after")?,
            no_answer_retry: p.duration("no_answer_retry")?,
            visit_attempts: p.count("visit_attempts")?,
            relay_problem: p.duration("relay_problem")?,
            follow_up_within: p.duration("follow_up_within")?,
            visits: p.count("visits")?,
            second_visit_after: p.duration("second_visit_after")?,
            third_visit_after: p.duration("third_visit_after")?,
            missed_call_callback: p.duration("missed_call_callback")?,
            supervisor: p.text("supervisor")?,
            answer_points: p.count("answer_points")?,
            greeting_points: p.count("greeting_points")?,
            late_points: p.count("late_points")?,
            repeat_complaint_points: p.count("repeat_complaint_points")?,
            rude_points: p.count("rude_points")?,
            promise_points: p.count("promise_points")?,
            vague_points: p.count("vague_points")?,
            private_points: p.count("private_points")?,
            satisfied_reward: p.count("satisfied_reward")?,
        };
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        if self.property_name.trim().is_empty() {
            return Err("parameter `property_name` must not be empty: it is said in every greeting".into());
        }
        if self.supervisor.trim().is_empty() {
            return Err("parameter `supervisor` must not be empty: escalations are sent to it".into());
        }
        if self.max_rings == 0 {
            return Err("parameter `max_rings` must be at least 1".into());
        }
        if self.ring_length.natural_millis() == 0 {
            return Err("parameter `ring_length` must be longer than 0s".into());
        }
        if self.visit_attempts == 0 {
            return Err("parameter `visit_attempts` must be at least 1".into());
        }
        if !(1..=3).contains(&self.visits) {
            return Err(format!("parameter `visits` must be 1, 2 or 3, not {}", self.visits));
        }
        let after = self.visit_after.natural_millis();
        for (key, limit) in
            [("return_visit_within", &self.return_visit_within), ("follow_up_within", &self.follow_up_within)]
        {
            if after > limit.natural_millis() {
                return Err(format!(
                    "parameter `visit_after` ({}) must not be longer than `{key}` ({}): the visit would be queued after its limit",
                    sopline_sdk::span::format(&self.visit_after),
                    sopline_sdk::span::format(limit)
                ));
            }
        }
        Ok(())
    }

    /// How long a call may ring: max_rings × ring_length.
    pub fn answer_within(&self) -> Span {
        let seconds = self.ring_length.seconds.saturating_mul(self.max_rings);
        Span { days: self.ring_length.days.saturating_mul(self.max_rings), seconds }
    }
}
