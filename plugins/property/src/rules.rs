//! The manual's rules and their ids. The manual numbers its standards by
//! section (1 咨询, 2 投诉, 3/4 回访, 5 报修) and letter, so a penalty reads
//! "PM-2.f" and a supervisor finds the sentence in the manual at once.

use sopline_sdk::RuleInfo;

/// The manual section a contact's call falls under, from its category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// 1、咨询应答质量标准.
    Consultation,
    /// 2、投诉问题应答质量标准.
    Complaint,
    /// 5、(报修/紧急)质量标准.
    Repair,
}

impl Section {
    /// The section for a category; unknown categories are treated as consultations.
    pub fn of(category: &str) -> Section {
        match category {
            "complaint" => Section::Complaint,
            "repair" => Section::Repair,
            _ => Section::Consultation,
        }
    }

    fn number(self) -> u8 {
        match self {
            Section::Consultation => 1,
            Section::Complaint => 2,
            Section::Repair => 5,
        }
    }

    /// The id of the rule with this letter in this section: `PM-2.f`.
    pub fn rule(self, letter: char) -> String {
        format!("PM-{}.{letter}", self.number())
    }

    /// The never-say rule of this section (section 5 has none of its own and
    /// follows the complaint section).
    pub fn never_say(self) -> &'static str {
        match self {
            Section::Consultation => "PM-1.i",
            Section::Complaint | Section::Repair => "PM-2.k",
        }
    }

    /// Whether the section asks for the department chain (notify, tell the
    /// owner, check, return visit).
    pub fn is_service(self) -> bool {
        self != Section::Consultation
    }

    /// What the owner reported, for scripts: 咨询 / 投诉 / 报修.
    pub fn noun(self) -> &'static str {
        match self {
            Section::Consultation => "咨询",
            Section::Complaint => "投诉",
            Section::Repair => "报修",
        }
    }
}

/// Rules for return visits, which have no category section of their own.
pub mod visit {
    /// 3.a: the first return visit after the service.
    pub const FIRST: &str = "PM-3.a";
    /// 3.b: nobody answers: call again later.
    pub const NO_ANSWER: &str = "PM-3.b";
    /// 3.c: ask about satisfaction; a satisfied owner earns a reward.
    pub const SATISFIED: &str = "PM-3.c";
    /// 3.e: pass a problem on within 1 hour.
    pub const RELAY: &str = "PM-3.e";
    /// 3.h: visit again about the problem within 24 hours.
    pub const FOLLOW_UP: &str = "PM-3.h";
    /// 3.j: never-say on a return visit.
    pub const NEVER_SAY: &str = "PM-3.j";
    /// 4.d: tell the owner when the next visit is.
    pub const NEXT: &str = "PM-4.d";
    /// 4.e: the second visit.
    pub const SECOND: &str = "PM-4.e";
    /// 4.f: the third visit.
    pub const THIRD: &str = "PM-4.f";
    /// 4.j: no pestering, no private topics.
    pub const PRIVATE: &str = "PM-4.j";
}

/// Every rule the plugin enforces, for the manifest.
pub fn all() -> Vec<RuleInfo> {
    let rule = |id: &str, description: &str| RuleInfo { id: id.into(), description: description.into() };
    vec![
        rule(
            "PM-1.a",
            "咨询:电话铃响三声内接起电话 (rings from `answered.rings`, or the call still ringing after max_rings × ring_length)",
        ),
        rule("PM-1.b", "咨询:用标准服务用语进行问候 (the agent's first words contain 您好 and 欢迎致电)"),
        rule("PM-1.c", "咨询:亲切询问业主/住户的问题:贵姓、栋号房号 (field `room` required before handing off)"),
        rule("PM-1.d", "咨询:一般性问题当时解答 (resolved on first contact: no reply chain)"),
        rule(
            "PM-1.e",
            "咨询:不能解答的问题记录下来,约定回复时间 (consultation_reply, met by customer_notified); no vague reply times",
        ),
        rule("PM-1.f", "咨询:挂机后将问题转交相关部门 (consultation_pass_on, met by handed_off)"),
        rule("PM-1.g", "咨询:收到中心回话后3个小时内回复业主 (relay_answer, met by customer_notified)"),
        rule(
            "PM-1.h",
            "咨询:中心24小时内予以回复 (centre_reply, met by department_replied; late: escalated to the supervisor)",
        ),
        rule("PM-1.i", "咨询:不可顶撞业主、不可随意许诺、不可无理辩解、不可摔电话、不可态度粗暴;首问负责制,不推诿"),
        rule("PM-2.a", "投诉:电话铃响三声内接起电话"),
        rule("PM-2.b", "投诉:用标准服务用语进行问候"),
        rule("PM-2.c", "投诉:心平气和地倾听,及时安慰 (comfort script)"),
        rule(
            "PM-2.e",
            "投诉:不能当时解答的,安抚业主,确定回复时间 (complaint_reply, met by customer_notified); no vague reply times",
        ),
        rule("PM-2.f", "投诉:放下电话后10分钟内通知到解决问题的相关部门 (notify_department, met by handed_off)"),
        rule("PM-2.g", "投诉:通知完相关部门后20分钟内回复业主通知结果 (notify_owner, met by customer_notified)"),
        rule(
            "PM-2.h",
            "投诉:1-2个小时内联系相关部门,督察服务开展情况 (check_department, met by department_replied or department_checked)",
        ),
        rule("PM-2.i", "投诉:24小时内回访,询问对服务的满意情况 (return_visit_within, met by a return-visit attempt)"),
        rule("PM-2.j", "投诉:规定时间内服务没有到位引起业主再投诉 (reopened after a missed time limit)"),
        rule(
            "PM-2.k",
            "投诉/报修:不可顶撞业主、不可随意许诺、不可无理辩解、不可摔电话、不可态度粗暴;首问负责制,不推诿",
        ),
        rule("PM-5.a", "报修:电话铃响三声内接起电话"),
        rule("PM-5.b", "报修:用标准服务用语进行问候"),
        rule(
            "PM-5.c",
            "报修:迅速了解问题性质、地点、时间 (fields `room`, `nature`, `place`, `time` required before handing off)",
        ),
        rule(
            "PM-5.e",
            "报修:不能当时解答的,确定回复时间,半小时内 (repair_reply, met by customer_notified); no vague reply times",
        ),
        rule(
            "PM-5.f",
            "报修:放下电话后10分钟内通知相关部门并确定问题解决人 (notify_department, met by handed_off naming who fixes it)",
        ),
        rule("PM-5.g", "报修:通知完相关部门后20分钟内回复业主通知结果 (notify_owner)"),
        rule("PM-5.h", "报修:1-2个小时内联系相关部门,督察服务开展情况 (check_department)"),
        rule("PM-5.i", "报修:24小时内回访,询问对服务的满意情况 (return_visit_within)"),
        rule("PM-5.j", "报修:规定时间内服务没有到位引起业主再投诉 (reopened after a missed time limit)"),
        rule(visit::FIRST, "回访:服务完成后第一次回访 (callback after visit_after)"),
        rule(
            visit::NO_ANSWER,
            "回访:拨通电话,无人则下次再打 (a new callback after no_answer_retry, at most visit_attempts tries)",
        ),
        rule(
            visit::SATISFIED,
            "回访:询问使用情况、满意情况并记录 (a satisfied owner earns the agent satisfied_reward)",
        ),
        rule(visit::RELAY, "回访:将回访中的问题于1小时内转达到相关部门 (relay_problem, met by handed_off)"),
        rule(visit::FOLLOW_UP, "回访:24小时内回访问题解决情况 (follow_up_within, met by the follow-up attempt)"),
        rule(visit::NEVER_SAY, "回访:不可顶撞业主、不可随意许诺、不可无理辩解、不可摔电话、不可态度粗暴"),
        rule(visit::NEXT, "回访:告知下次回访时间 (next-visit script)"),
        rule(visit::SECOND, "回访:第二次回访 (second_visit_after a satisfied first visit)"),
        rule(visit::THIRD, "回访:第三次回访 (third_visit_after a satisfied second visit)"),
        rule(visit::PRIVATE, "回访:不纠缠、不对付、不说无关的话题、不谈业主/住户隐私的话题"),
    ]
}
