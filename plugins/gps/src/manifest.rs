//! What the plugin tells the host about itself: categories, event types,
//! scenes, rule ids and parameters (each with its default and a description).

use sopline_sdk::params::{duration, flag, integer, text};
use sopline_sdk::*;

/// Rule ids, as they appear in penalties, violations and requirements.
pub mod rule {
    /// 《安装任务派工单》: plate numbers, vehicle list, driver and vehicle data.
    pub const INSTALL_ORDER: &str = "GPS-INSTALL-ORDER";
    /// 《维修服务单》: customer, address, contact, model, purchase date, fault.
    pub const REPAIR_ORDER: &str = "GPS-REPAIR-ORDER";
    /// 返修/换机: plate number, fault, old and new terminal numbers.
    pub const SWAP_RECORD: &str = "GPS-SWAP-RECORD";
    /// 更换SIM卡: old and new SIM numbers.
    pub const SIM_RECORD: &str = "GPS-SIM-RECORD";
    /// No technician goes before the GPS department manager approved the order.
    pub const APPROVAL: &str = "GPS-APPROVAL";
    /// After approval, a technician is dispatched in time.
    pub const DISPATCH: &str = "GPS-DISPATCH";
    /// Remote access only with the customer's consent.
    pub const REMOTE_CONSENT: &str = "GPS-REMOTE-CONSENT";
    /// Hotline → remote → on site: no on-site repair before remote was tried.
    pub const LADDER: &str = "GPS-LADDER";
    /// Return visits monthly in the first year after delivery, quarterly after.
    pub const RETURN_VISIT: &str = "GPS-RETURN-VISIT";
    /// The December call: new-year gift and next year's needs.
    pub const DECEMBER_CALL: &str = "GPS-DECEMBER-CALL";
    /// A major fault is reported at once to sales and the manager.
    pub const MAJOR_FAULT: &str = "GPS-MAJOR-FAULT";
    /// After a major fault, a fault analysis report goes to the customer.
    pub const FAULT_ANALYSIS: &str = "GPS-FAULT-ANALYSIS";
    /// No on-site time promised before the order is approved.
    pub const ONSITE_PROMISE: &str = "GPS-ONSITE-PROMISE";
    /// No other customer's vehicle location, track or plate disclosed.
    pub const PRIVACY: &str = "GPS-PRIVACY";
    /// No free out-of-warranty repair promised (only parts are charged).
    pub const WARRANTY_PROMISE: &str = "GPS-WARRANTY-PROMISE";
    /// 首问负责制: no buck-passing (`sdk::common::buck_passing`).
    pub const BUCK_PASSING: &str = "GPS-BUCK-PASSING";
    /// No rude or hostile words (`sdk::common::rude`).
    pub const RUDE: &str = "GPS-RUDE";
    /// No arguing with the customer (`sdk::common::arguing`).
    pub const ARGUING: &str = "GPS-ARGUING";
    /// No promises at will (`sdk::common::rash_promises`).
    pub const RASH_PROMISE: &str = "GPS-RASH-PROMISE";
    /// No vague phrasing about times and results (`sdk::common::vague`).
    pub const VAGUE: &str = "GPS-VAGUE";
}

/// Extra event types this plugin understands (beyond the common vocabulary).
pub mod event {
    /// A technician set off for the site (installation or repair).
    pub const DISPATCHED: &str = "dispatched";
    /// A remote session into the customer's system began.
    pub const REMOTE_SESSION: &str = "remote_session";
    /// The technician arrived on site.
    pub const ONSITE_VISIT: &str = "onsite_visit";
    /// Terminals installed; starts the return-visit cadence.
    pub const INSTALLED: &str = "installed";
    /// A project handed over for use; starts the return-visit cadence.
    pub const DELIVERED: &str = "delivered";
    /// A terminal was returned for repair or swapped.
    pub const TERMINAL_SWAPPED: &str = "terminal_swapped";
    /// A SIM card was swapped.
    pub const SIM_SWAPPED: &str = "sim_swapped";
    /// The structured major-fault report (time, place, symptoms, plan) was passed on.
    pub const MAJOR_FAULT_REPORTED: &str = "major_fault_reported";
    /// A major fault is over; the fault analysis report is now due.
    pub const FAULT_CLEARED: &str = "fault_cleared";
    /// The fault analysis report was sent to the customer.
    pub const FAULT_REPORT_SENT: &str = "fault_report_sent";
    /// The customer is no longer served: return visits and December calls stop.
    pub const SERVICE_ENDED: &str = "service_ended";

    /// All of them, for the manifest.
    pub const ALL: [&str; 11] = [
        DISPATCHED,
        REMOTE_SESSION,
        ONSITE_VISIT,
        INSTALLED,
        DELIVERED,
        TERMINAL_SWAPPED,
        SIM_SWAPPED,
        MAJOR_FAULT_REPORTED,
        FAULT_CLEARED,
        FAULT_REPORT_SENT,
        SERVICE_ENDED,
    ];
}

/// Categories a GPS contact can have.
pub const CATEGORIES: [&str; 8] =
    ["installation", "repair", "after_sales", "terminal_swap", "sim_swap", "consultation", "complaint", "feedback"];

/// Scenes `script` answers.
pub const SCENES: [&str; 10] = [
    "greeting",
    "install_intake",
    "repair_intake",
    "remote_consent",
    "dispatch_confirmed",
    "major_fault",
    "fault_report",
    "return_visit",
    "december_call",
    "closing",
];

/// The manifest.
pub fn manifest() -> Manifest {
    Manifest {
        id: "gps".into(),
        name: "GPS 安装与维修服务".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        industry: "gps".into(),
        wit_version: WIT_VERSION.into(),
        description: "GPS terminal installation and repair (manual 004, 客户服务管理制度): dispatch and repair \
                      orders with required fields, the GPS department manager's approval before a technician goes, \
                      the hotline → remote (with consent) → on-site ladder, return visits monthly in the first year \
                      after delivery and quarterly after, the December call, major-fault reports and fault analysis."
            .into(),
        categories: CATEGORIES.iter().map(|c| c.to_string()).collect(),
        event_types: event::ALL.iter().map(|e| e.to_string()).collect(),
        scenes: SCENES.iter().map(|s| s.to_string()).collect(),
        rules: rules(),
        params: params(),
    }
}

fn rules() -> Vec<RuleInfo> {
    let info = |id: &str, description: &str| RuleInfo { id: id.into(), description: description.into() };
    vec![
        info(
            rule::INSTALL_ORDER,
            "《安装任务派工单》: plate_number, vehicle_list and driver_info are set before the order is approved or a technician dispatched (host rejects otherwise).",
        ),
        info(
            rule::REPAIR_ORDER,
            "《维修服务单》: address, contact_phone, model, purchase_date and fault (and customer_name when the customer record has no name) before approval or dispatch.",
        ),
        info(
            rule::SWAP_RECORD,
            "返修/换机: plate_number, fault, old_terminal_no and new_terminal_no before terminal_swapped.",
        ),
        info(rule::SIM_RECORD, "更换SIM卡: old_sim_no and new_sim_no before sim_swapped."),
        info(
            rule::APPROVAL,
            "经GPS事业部经理审批: a dispatch before the manager's approval is a breach (violation, penalty, manager notified).",
        ),
        info(
            rule::DISPATCH,
            "A technician is dispatched within dispatch_within (business time) of the approval; otherwise penalty and escalation to the manager.",
        ),
        info(
            rule::REMOTE_CONSENT,
            "远程服务在客户授权的前提下: remote_session needs remote_consent set, and set to a yes.",
        ),
        info(
            rule::LADDER,
            "热线 → 远程 → 现场: a repair technician is dispatched only after remote service was tried or refused.",
        ),
        info(
            rule::RETURN_VISIT,
            "一年内每月回访一次, 一年以上每季回访一次: each visit is attempted within visit_window of its due time.",
        ),
        info(
            rule::DECEMBER_CALL,
            "每年12月寄送新年礼物并了解次年需求: the December call is made before December ends.",
        ),
        info(
            rule::MAJOR_FAULT,
            "重大故障: sales and the manager are notified at once; the report (time, place, symptoms, plan) follows within major_fault_report_within.",
        ),
        info(
            rule::FAULT_ANALYSIS,
            "故障分析报告: impact, handling, cause and preventive measures go to the customer within fault_analysis_within after the fault is over.",
        ),
        info(
            rule::ONSITE_PROMISE,
            "不得随意承诺: no on-site time promised to the customer before the order is approved.",
        ),
        info(rule::PRIVACY, "No other customer's vehicle location, track or plate number disclosed."),
        info(
            rule::WARRANTY_PROMISE,
            "保修期外维修只收零部件费用: no free out-of-warranty repair promised, no waiving of parts fees.",
        ),
        info(rule::BUCK_PASSING, "首问负责制: the first responder owns the contact; no 推诿、扯皮 (common phrases)."),
        info(rule::RUDE, "不许怠慢任何一个客户: no rude or hostile words (common phrases)."),
        info(rule::ARGUING, "不得与客户争辩 (common phrases)."),
        info(rule::RASH_PROMISE, "不得对用户做出夸大其辞的承诺 (common phrases)."),
        info(
            rule::VAGUE,
            "不能信口雌黄、含糊答复: precise times and results instead of vague phrasing (common phrases).",
        ),
    ]
}

fn params() -> Vec<ParamSpec> {
    vec![
        text("company_name", "本公司", "The company name said in the greeting and visit scripts."),
        integer(
            "utc_offset_minutes",
            480,
            "Local time's offset east of UTC in minutes (480 = +08:00); visit due times are computed in it.",
        ),
        text(
            "manager",
            "gps-manager",
            "Who approves dispatch and repair orders and receives fault reports (GPS事业部经理/分管经理).",
        ),
        text("sales", "sales", "The sales side (业务签单人员/业务部) told of major faults and fault analysis reports."),
        text("remote_team", "remote-support", "Who runs remote sessions (the ladder's second level)."),
        text("field_team", "field-technicians", "Who goes on site (the ladder's third level)."),
        duration("dispatch_within", "1d", "Business time from the manager's approval to a technician's dispatch."),
        flag(
            "remote_before_onsite",
            true,
            "Whether a repair technician may only be dispatched after remote service was tried or the customer refused it.",
        ),
        integer(
            "monthly_visit_months",
            12,
            "How many months after delivery return visits are monthly (一年内每月回访).",
        ),
        integer("later_visit_interval_months", 3, "Months between return visits after that (一年以上每季回访)."),
        text("visit_time", "10:00", "Local time of day (HH:MM) at which return visits and the December call fall due."),
        duration("visit_window", "3d", "How long after a return visit falls due it must be attempted."),
        integer(
            "visit_max_attempts",
            3,
            "Unanswered attempts after which a return visit is given up and the next one scheduled.",
        ),
        integer("december_call_day", 1, "Day of December (1–31) on which the yearly gift and needs call falls due."),
        duration(
            "major_fault_report_within",
            "30m",
            "Natural time from a major fault becoming known to the structured report to sales and the manager.",
        ),
        duration(
            "fault_analysis_within",
            "3d",
            "Business time from the end of a major fault to the fault analysis report to the customer.",
        ),
        integer("approval_points", 5, "Penalty points for dispatching before approval (GPS-APPROVAL)."),
        integer("dispatch_points", 3, "Penalty points for a late dispatch (GPS-DISPATCH)."),
        integer(
            "remote_consent_points",
            5,
            "Penalty points for a remote session without consent (GPS-REMOTE-CONSENT).",
        ),
        integer("ladder_points", 2, "Penalty points for skipping remote service (GPS-LADDER)."),
        integer(
            "return_visit_points",
            2,
            "Penalty points for a return visit not attempted in time (GPS-RETURN-VISIT).",
        ),
        integer("december_call_points", 2, "Penalty points for a missed December call (GPS-DECEMBER-CALL)."),
        integer("major_fault_points", 5, "Penalty points for a late major-fault report (GPS-MAJOR-FAULT)."),
        integer("fault_analysis_points", 3, "Penalty points for a late fault analysis report (GPS-FAULT-ANALYSIS)."),
        integer(
            "onsite_promise_points",
            3,
            "Penalty points for promising an on-site time before approval (GPS-ONSITE-PROMISE).",
        ),
        integer("privacy_points", 5, "Penalty points for disclosing another customer's vehicle data (GPS-PRIVACY)."),
        integer(
            "warranty_promise_points",
            3,
            "Penalty points for promising free out-of-warranty repair (GPS-WARRANTY-PROMISE).",
        ),
        integer("buck_passing_points", 5, "Penalty points for buck-passing (GPS-BUCK-PASSING)."),
        integer("rude_points", 5, "Penalty points for rude words (GPS-RUDE)."),
        integer("arguing_points", 3, "Penalty points for arguing with the customer (GPS-ARGUING)."),
        integer("rash_promise_points", 3, "Penalty points for promising at will (GPS-RASH-PROMISE)."),
        integer("vague_points", 1, "Penalty points for vague phrasing (GPS-VAGUE)."),
    ]
}
