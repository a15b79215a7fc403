//! Who the plugin is: rule ids, scenes, categories and every parameter with a
//! description an administrator can act on.

use sopline_sdk::params::{duration, flag, integer, text};
use sopline_sdk::{Manifest, RuleInfo, WIT_VERSION};

/// Rule ids, as they appear in violations, penalties and rewards.
pub mod rule {
    /// 服务确权: no account information before the customer's identity is verified.
    pub const IDENTITY: &str = "BANK-ID-1";
    /// No customer data to a third party.
    pub const PRIVACY: &str = "BANK-PRIV-1";
    /// No exaggerated promises.
    pub const PROMISE: &str = "BANK-PROMISE-1";
    /// Do not argue with or pressure the customer.
    pub const ARGUE: &str = "BANK-ARGUE-1";
    /// A complaint is registered (its fields filled) before it is handed off or resolved.
    pub const COMPLAINT_REGISTERED: &str = "BANK-CMP-1";
    /// A complaint is accepted (the customer told) in time.
    pub const COMPLAINT_ACCEPTED: &str = "BANK-CMP-2";
    /// A complaint is handled in time.
    pub const COMPLAINT_HANDLED: &str = "BANK-CMP-3";
    /// The customer gets the handling result in time.
    pub const COMPLAINT_REPLIED: &str = "BANK-CMP-4";
    /// Incidents go up the escalation ladder; each level answers in time.
    pub const ESCALATION: &str = "BANK-ESC-1";
    /// A satisfaction survey follows resolution in time.
    pub const SURVEY: &str = "BANK-SURVEY-1";
    /// A satisfied customer at the survey earns the agent points.
    pub const SATISFIED: &str = "BANK-SAT-1";
    /// 首问负责制: no buck-passing (`sopline_sdk::common::buck_passing`).
    pub const FIRST_RESPONDER: &str = "BANK-FIRST-1";
    /// No rude or impatient words (`sopline_sdk::common::rude`).
    pub const RUDE: &str = "BANK-RUDE-1";
    /// No vague times or results (`sopline_sdk::common::vague`).
    pub const VAGUE: &str = "BANK-VAGUE-1";
}

/// Scenes `script` answers.
pub const SCENES: &[&str] = &[
    "greeting",
    "identity-check",
    "identity-confirmed",
    "third-party-refusal",
    "apology",
    "complaint-acceptance",
    "complaint-reply",
    "emergency",
    "survey-opening",
    "closing",
];

/// Categories the plugin understands; `fraud` contacts are incidents.
pub const CATEGORIES: &[&str] = &["consultation", "complaint", "feedback", "account_inquiry", "card_loss", "fraud"];

/// Event types beyond the common vocabulary.
pub const EVENT_TYPES: &[&str] = &["incident_reported"];

const RULES: &[(&str, &str)] = &[
    (
        rule::IDENTITY,
        "服务确权:客户身份核实(identified)之前,不得在话术中透露余额、卡号(含掩码卡号)、交易明细或账户状态",
    ),
    (
        rule::PRIVACY,
        "保护客户隐私:不得向客户本人以外的人(代办人、家属、其他来电人)透露客户资料,也不得转告他人的电话、地址、账户等信息",
    ),
    (rule::PROMISE, "不得对客户做出夸大其辞的承诺(保证到账、百分之百追回、稳赚不赔等)"),
    (rule::ARGUE, "不得与客户争辩,不得借权威机构名义对客户施压"),
    (rule::COMPLAINT_REGISTERED, "投诉登记:投诉在转交或办结前须登记必填字段(参数 complaint_required_fields)"),
    (rule::COMPLAINT_ACCEPTED, "投诉受理:在 complaint_accept_within(工作时间)内告知客户投诉已受理及处理人"),
    (
        rule::COMPLAINT_HANDLED,
        "投诉处理:在 complaint_handle_within(工作时间;重大投诉为 major_complaint_handle_within 自然时间)内由处理部门给出处理意见,超时逐级上报",
    ),
    (rule::COMPLAINT_REPLIED, "投诉答复:处理部门答复后,在 complaint_reply_within(工作时间)内把结果答复客户"),
    (
        rule::ESCALATION,
        "事故应急与升级:重大事件、坐席请求升级、处理超时或回访不满意时沿升级阶梯(escalation_ladder)逐级上报,每级须在 escalation_response_within 内响应",
    ),
    (rule::SURVEY, "满意度回访:办结后在 survey_within(工作时间)内完成满意度回访"),
    (rule::SATISFIED, "回访满意:客户回访表示满意,给坐席加分"),
    (rule::FIRST_RESPONDER, "首问负责制:第一位接待的客服对问题负责到底,不得推诿(如“你去找别人吧”)"),
    (rule::RUDE, "不得态度粗暴、顶撞客户(如“你听不懂吗”)"),
    (rule::VAGUE, "不用模糊表述,说明确的时间和结果(如“大概3天”→“预计3个工作日”)"),
];

/// The plugin's manifest.
pub fn manifest() -> Manifest {
    Manifest {
        id: "bank".into(),
        name: "银行客户服务管理制度".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        industry: "bank".into(),
        wit_version: WIT_VERSION.into(),
        description: "银行客服 SOP(种子手册 004「银行客户服务管理制度」):服务确权、投诉受理/处理/答复时限、事故升级、满意度回访、隐私保护、禁止夸大承诺与争辩。".into(),
        categories: CATEGORIES.iter().map(|c| c.to_string()).collect(),
        event_types: EVENT_TYPES.iter().map(|c| c.to_string()).collect(),
        scenes: SCENES.iter().map(|c| c.to_string()).collect(),
        rules: RULES.iter().map(|(id, d)| RuleInfo { id: id.to_string(), description: d.to_string() }).collect(),
        params: vec![
            text("bank_name", "示范银行", "银行名称,用在问候语、回访开场白等话术里"),
            integer("identity_breach_points", 10, "违反服务确权(身份核实前透露余额、卡号、交易)每次扣分"),
            integer("privacy_breach_points", 10, "向第三方透露客户资料每次扣分"),
            integer("promise_points", 5, "夸大其辞的承诺每次扣分"),
            integer("argue_points", 5, "与客户争辩或借权威机构施压每次扣分"),
            integer("buck_passing_points", 5, "推诿客户(违反首问负责制)每次扣分"),
            integer("rude_points", 5, "态度粗暴、顶撞客户每次扣分"),
            integer("vague_points", 1, "模糊表述(大概、应该吧、过几天)每次扣分"),
            text(
                "complaint_required_fields",
                "complaint_summary",
                "投诉转交(handed_off)或办结(resolved)前必须登记的字段,逗号分隔;留空表示不要求",
            ),
            duration("complaint_accept_within", "1h", "投诉进来后多久(工作时间)内必须告知客户已受理(customer_notified)"),
            duration("complaint_handle_within", "1d", "一般投诉多久(工作时间)内必须由处理部门给出处理意见(department_replied)或办结;1d = 下一个工作日同一时刻"),
            duration("major_complaint_handle_within", "1d", "重大投诉/事故多久(自然时间,节假日照算)内必须给出处理方案;1d = 24 小时"),
            duration("complaint_reply_within", "2h", "处理部门答复后多久(工作时间)内必须把结果答复客户(resolved)"),
            integer("late_complaint_points", 3, "投诉受理、处理、答复任一时限超时,对首问责任人每次扣分"),
            text(
                "escalation_ladder",
                "supervisor:客服值班主管 > special-team:投诉处理专班 > emergency:分行应急领导小组",
                "升级阶梯,从低到高,每级写成 级别:接收人,用 > 分隔;重大事件、坐席请求升级、处理超时、回访不满意时逐级上报",
            ),
            integer("major_entry_level", 2, "重大事件(severity major、fraud 类、incident_reported)直接从阶梯第几级开始(1 = 最低一级)"),
            duration("escalation_response_within", "2h", "每一级收到升级后多久(自然时间)内必须响应(处理部门答复或办结),否则再升一级"),
            duration("survey_callback_after", "2h", "办结后多久安排满意度回访电话"),
            duration("survey_within", "1d", "办结后多久(工作时间)内必须完成满意度回访"),
            duration("survey_retry_after", "2h", "回访未接通时,多久后再打一次"),
            integer("survey_max_attempts", 3, "回访最多拨打次数,都未接通则通知值班主管并停止"),
            flag("survey_every_contact", false, "true = 每个办结的来电都回访;false = 只回访投诉和事件"),
            integer("late_survey_points", 2, "满意度回访超时,对首问责任人扣分"),
            integer("satisfied_reward_points", 2, "回访客户满意,给首问责任人加分"),
        ],
    }
}
