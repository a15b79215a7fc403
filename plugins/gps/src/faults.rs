//! Major faults: report at once, then a fault analysis report to the customer.
//!
//! "项目发生重大故障时,第一时间获得故障信息的公司员工应及时通知相关部门和人员,并将故障
//! 的发生时间、地点、现象、处理预案传递至业务签单人员和分管经理。… 故障结束后技术服务部
//! 主管应组织相关维护人员填写故障分析报告,将故障造成的影响、处理情况、原因分析、采取的
//! 纠正预防措施等及时反馈给客户及业务部。"
//!
//! "At once" is the plugin's own notice to sales and the manager the moment
//! the contact is major; the structured report (the four items, host-enforced
//! fields) must follow within `major_fault_report_within`.

use crate::config::Config;
use crate::manifest::{event, rule};
use crate::memory;
use sopline_sdk::prelude::*;

/// 时间、地点、现象、处理预案.
pub const REPORT_FIELDS: [&str; 4] = ["fault_time", "fault_place", "fault_symptoms", "fault_plan"];
/// 影响、处理情况、原因分析、纠正预防措施.
pub const ANALYSIS_FIELDS: [&str; 4] = ["fault_impact", "fault_handling", "fault_cause", "fault_prevention"];

const REPORT_DEADLINE: &str = "major-fault-report";
const ANALYSIS_DEADLINE: &str = "fault-analysis-report";

fn value<'a>(contact: &'a Contact, field: &str) -> &'a str {
    contact.field(field).filter(|v| !v.trim().is_empty()).unwrap_or("待补充")
}

fn report(contact: &Contact) -> String {
    format!(
        "【重大故障】客户{}:发生时间 {};地点 {};现象 {};处理预案 {}。",
        contact.customer.name,
        value(contact, "fault_time"),
        value(contact, "fault_place"),
        value(contact, "fault_symptoms"),
        value(contact, "fault_plan"),
    )
}

fn tell_sales_and_manager(config: &Config, text: &str, out: &mut Vec<Action>) {
    out.push(act::notify(&config.sales, text));
    out.push(act::notify(&config.manager, text));
}

/// The major-fault procedure.
pub fn on_event(config: &Config, contact: &Contact, ev: &Event, out: &mut Vec<Action>) {
    if let Event::Opened = ev {
        out.push(act::require(event::MAJOR_FAULT_REPORTED, &REPORT_FIELDS, rule::MAJOR_FAULT));
        out.push(act::require(event::FAULT_REPORT_SENT, &ANALYSIS_FIELDS, rule::FAULT_ANALYSIS));
    }
    let stage = contact.memory(memory::MAJOR_FAULT);
    let reported_now = matches!(ev, Event::Custom(c) if c.kind == event::MAJOR_FAULT_REPORTED);
    if stage.is_none() && contact.severity == Severity::Major && !reported_now {
        tell_sales_and_manager(config, &report(contact), out);
        out.push(act::deadline(REPORT_DEADLINE, config.major_fault_report_within));
        out.push(act::remember(memory::MAJOR_FAULT, "open"));
        if let Some(text) = crate::scripts::render(config, "major_fault", contact) {
            out.push(act::script("major_fault", &text));
        }
        return;
    }
    match ev {
        Event::Custom(custom) if custom.kind == event::MAJOR_FAULT_REPORTED => {
            tell_sales_and_manager(config, &report(contact), out);
            out.push(act::meet(REPORT_DEADLINE));
            if matches!(stage, None | Some("open")) {
                out.push(act::remember(memory::MAJOR_FAULT, "reported"));
            }
        }
        Event::Custom(custom) if custom.kind == event::FAULT_CLEARED => clear(config, contact, stage, out),
        Event::Resolved(_) => clear(config, contact, stage, out),
        Event::Custom(custom) if custom.kind == event::FAULT_REPORT_SENT => {
            out.push(act::meet(ANALYSIS_DEADLINE));
            out.push(act::remember(memory::MAJOR_FAULT, "analysed"));
            out.push(act::notify(
                &config.sales,
                &format!(
                    "故障分析报告已反馈客户{}:影响 {};处理情况 {};原因 {};纠正预防措施 {}。",
                    contact.customer.name,
                    value(contact, "fault_impact"),
                    value(contact, "fault_handling"),
                    value(contact, "fault_cause"),
                    value(contact, "fault_prevention"),
                ),
            ));
        }
        Event::DeadlinePassed(passed) if passed.name == REPORT_DEADLINE => {
            out.push(act::penalize(
                "",
                config.points.major_fault,
                rule::MAJOR_FAULT,
                "重大故障未及时上报发生时间、地点、现象和处理预案",
            ));
            out.push(act::escalate("manager", &config.manager, "重大故障报告超时"));
        }
        Event::DeadlinePassed(passed) if passed.name == ANALYSIS_DEADLINE => {
            out.push(act::penalize(
                "",
                config.points.fault_analysis,
                rule::FAULT_ANALYSIS,
                "故障结束后未及时向客户反馈故障分析报告",
            ));
            out.push(act::escalate("manager", &config.manager, "故障分析报告超时"));
        }
        _ => {}
    }
}

/// The fault is over: the analysis report is now due (once).
fn clear(config: &Config, contact: &Contact, stage: Option<&str>, out: &mut Vec<Action>) {
    if !matches!(stage, Some("open" | "reported")) {
        return;
    }
    out.push(act::business_deadline(ANALYSIS_DEADLINE, config.fault_analysis_within));
    out.push(act::remember(memory::MAJOR_FAULT, "cleared"));
    if let Some(text) = crate::scripts::render(config, "fault_report", contact) {
        out.push(act::script("fault_report", &text));
    }
}
