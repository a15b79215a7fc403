//! Dispatch and repair orders, and the manager's approval before anyone goes.
//!
//! "公司客户服务人员接到《安装需求单》、《安装车辆明细》及《司机信息和车辆基本信息》,
//! 填写《安装任务派工单》… 接到维修来电来函时,应详细记录客户名称、具体地址、联系方式、
//! 商品型号、购买日期等相关信息,查清存在的问题和故障现象,填写《维修服务单》。经GPS
//! 事业部经理审批《安装任务派工单》和《维修服务单》,安排合适的维修人员。"
//!
//! The order's fields are enforced by the host (`require-fields` before
//! `approved` and `dispatched`). The approval itself is not a form field —
//! plugins cannot set fields, and a field an agent could set by hand would
//! be a forgeable gate — so a dispatch without an `approved` event on record
//! is accepted (the technician did leave) and booked as a GPS-APPROVAL
//! breach, with the manager told.

use crate::config::Config;
use crate::manifest::{event, rule};
use crate::{custom_agent, memory};
use sopline_sdk::prelude::*;

/// 《安装任务派工单》: from the install request, the vehicle list and the driver/vehicle data.
pub const INSTALL_FIELDS: [&str; 3] = ["plate_number", "vehicle_list", "driver_info"];
/// 《维修服务单》: address, contact, model, purchase date, fault (the customer's name comes with the contact).
pub const REPAIR_FIELDS: [&str; 5] = ["address", "contact_phone", "model", "purchase_date", "fault"];
/// 返修: "将车牌号,故障现象写在纸胶带上…并将原终端号与更新的终端号填写在《维修服务单》上".
pub const SWAP_FIELDS: [&str; 4] = ["plate_number", "fault", "old_terminal_no", "new_terminal_no"];
/// 更换SIM卡: "要将新旧SIM卡号登记在《维修服务单》上".
pub const SIM_FIELDS: [&str; 2] = ["old_sim_no", "new_sim_no"];

/// Which order a category is handled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// 《安装任务派工单》
    Install,
    /// 《维修服务单》
    Repair,
}

impl Order {
    /// The order for a category, if it sends a technician.
    pub fn of(category: &str) -> Option<Order> {
        match category {
            "installation" => Some(Order::Install),
            "repair" | "after_sales" | "terminal_swap" | "sim_swap" => Some(Order::Repair),
            _ => None,
        }
    }

    fn rule(self) -> &'static str {
        match self {
            Order::Install => rule::INSTALL_ORDER,
            Order::Repair => rule::REPAIR_ORDER,
        }
    }

    /// The fields the order needs for this contact.
    pub fn fields(self, contact: &Contact) -> Vec<&'static str> {
        match self {
            Order::Install => INSTALL_FIELDS.to_vec(),
            Order::Repair => {
                let mut fields = REPAIR_FIELDS.to_vec();
                // 客户名称 normally arrives with the customer record; ask for it when it did not.
                if contact.customer.name.trim().is_empty() {
                    fields.insert(0, "customer_name");
                }
                fields
            }
        }
    }
}

/// The requirements that follow from the contact's category.
fn order_requirements(contact: &Contact) -> Vec<Action> {
    let Some(order) = Order::of(&contact.category) else {
        return Vec::new();
    };
    let fields = order.fields(contact);
    ["approved", event::DISPATCHED].iter().map(|before| act::require(before, &fields, order.rule())).collect()
}

fn is_complete(contact: &Contact, fields: &[&str]) -> bool {
    fields.iter().all(|f| contact.field(f).is_some_and(|v| !v.trim().is_empty()))
}

/// Orders, approval and dispatch.
pub fn on_event(config: &Config, contact: &Contact, ev: &Event, out: &mut Vec<Action>) {
    match ev {
        Event::Opened => {
            out.extend(order_requirements(contact));
            out.push(act::require(event::TERMINAL_SWAPPED, &SWAP_FIELDS, rule::SWAP_RECORD));
            out.push(act::require(event::SIM_SWAPPED, &SIM_FIELDS, rule::SIM_RECORD));
            submit_if_complete(config, contact, out);
        }
        Event::Classified(_) => {
            out.extend(order_requirements(contact));
            submit_if_complete(config, contact, out);
        }
        Event::FieldSet(_) => submit_if_complete(config, contact, out),
        Event::Approved(approved) => {
            out.push(act::remember(memory::APPROVED_BY, &approved.by));
            if Order::of(&contact.category).is_some() && contact.memory(memory::APPROVED_BY).is_none() {
                out.push(act::business_deadline("dispatch", config.dispatch_within));
                if let Some(text) = crate::scripts::render(config, "dispatch_confirmed", contact) {
                    out.push(act::script("dispatch_confirmed", &text));
                }
            }
        }
        Event::Custom(custom) if custom.kind == event::DISPATCHED => {
            if contact.memory(memory::APPROVED_BY).is_none() {
                let document = crate::scripts::order_document(&contact.category);
                out.push(act::violation(
                    &custom_agent(contact, custom),
                    Violation {
                        rule: rule::APPROVAL.into(),
                        excerpt: event::DISPATCHED.into(),
                        reason: format!("技术人员在{document}经GPS事业部经理审批之前出发"),
                        suggestion: Some(format!("先提交{document}审批,审批后再安排人员")),
                        points: config.points.approval,
                    },
                ));
                out.push(act::notify(
                    &config.manager,
                    &format!("未经审批派工:客户{}的{document}尚未审批,技术人员已出发,请补审。", contact.customer.name),
                ));
            }
            out.push(act::meet("dispatch"));
        }
        Event::DeadlinePassed(passed) if passed.name == "dispatch" => {
            out.push(act::penalize("", config.points.dispatch, rule::DISPATCH, "审批后未按时安排技术人员出发"));
            out.push(act::escalate("manager", &config.manager, "审批后超时未派工"));
        }
        _ => {}
    }
}

/// Asks the manager to approve once the order's fields are all in.
fn submit_if_complete(config: &Config, contact: &Contact, out: &mut Vec<Action>) {
    let Some(order) = Order::of(&contact.category) else {
        return;
    };
    if contact.memory(memory::ORDER_SUBMITTED).is_some() || contact.memory(memory::APPROVED_BY).is_some() {
        return;
    }
    if is_complete(contact, &order.fields(contact)) {
        let document = crate::scripts::order_document(&contact.category);
        out.push(act::notify(
            &config.manager,
            &format!("{document}已填写完整(客户{}),请审批。", contact.customer.name),
        ));
        out.push(act::remember(memory::ORDER_SUBMITTED, "yes"));
    }
}
