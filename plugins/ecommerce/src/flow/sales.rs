//! Pre-sales and after-sales duties of manual 001: answer and guide, urge
//! unpaid orders (催拍催付, EC-P1); confirm the order status, classify the
//! problem and verify amounts exactly before closing (EC-A1, EC-A2); and
//! never block a buyer (EC-T2, reported by the `buyer_blocked` event).

use sopline_sdk::act;
use sopline_sdk::prelude::*;

use super::names::URGE_PAYMENT;
use crate::config::Config;
use crate::scripts;

const UNPAID: &[&str] = &["unpaid", "待付款", "未付款", "等待买家付款"];
const PAID: &[&str] = &[
    "paid",
    "已付款",
    "待发货",
    "shipped",
    "已发货",
    "completed",
    "已完成",
    "cancelled",
    "已取消",
    "closed",
    "交易关闭",
];

pub fn on_event(cfg: &Config, contact: &Contact, event: &Event, out: &mut Vec<Action>) {
    let category = contact.category.as_str();
    match event {
        Event::Opened => {
            if category == "after_sales" {
                require_order_fields(cfg, out);
            }
            if contact.field("order_status").is_some_and(|s| UNPAID.contains(&s)) {
                urge(cfg, contact, out);
            }
        }
        Event::Answered(_) => match category {
            "pre_sales" => out.extend(scripts::show(cfg, "pre-sales", contact)),
            "after_sales" => {
                out.extend(scripts::show(cfg, "after-sales", contact));
                out.extend(scripts::show(cfg, "classify-problem", contact));
            }
            _ => {}
        },
        Event::Classified(c) if c.category == "after_sales" => {
            require_order_fields(cfg, out);
            out.extend(scripts::show(cfg, "classify-problem", contact));
        }
        Event::Classified(c) if c.category == "pre_sales" => out.extend(scripts::show(cfg, "pre-sales", contact)),
        Event::FieldSet(f) if f.name == "order_status" => {
            if UNPAID.contains(&f.value.as_str()) {
                urge(cfg, contact, out);
            } else if PAID.contains(&f.value.as_str()) {
                paid(contact, out);
            } else {
                out.extend(scripts::show(cfg, "confirm-order", contact));
            }
        }
        Event::FieldSet(f) if f.name == "refund_amount" || f.name == "paid_amount" => amounts(cfg, contact, out),
        Event::Custom(c) if c.kind == "order_unpaid" => urge(cfg, contact, out),
        Event::Custom(c) if c.kind == "order_paid" => paid(contact, out),
        Event::Custom(c) if c.kind == "buyer_blocked" => {
            let agent = super::agent_of(contact, c.agent.as_deref());
            let how =
                c.fields.iter().find(|(k, _)| k == "tool" || k == "reason").map_or("拉黑买家", |(_, v)| v.as_str());
            out.push(act::violation(
                &agent,
                Violation {
                    rule: "EC-T2".into(),
                    excerpt: how.to_string(),
                    reason: "八大禁忌第2条:不能通过任何工具拉黑买家".into(),
                    suggestion: Some("解除拉黑,继续通过下单账号为买家服务".into()),
                    points: cfg.block_points,
                },
            ));
        }
        Event::CallbackDue(cb) if cb.id == URGE_PAYMENT => {
            out.push(act::penalize("", cfg.urge_unpaid_points, "EC-P1", "未付款订单没有在时限内催付"));
        }
        _ => {}
    }
}

fn require_order_fields(cfg: &Config, out: &mut Vec<Action>) {
    if !cfg.after_sales_required_fields.is_empty() {
        let fields: Vec<&str> = cfg.after_sales_required_fields.iter().map(String::as_str).collect();
        out.push(act::require("resolved", &fields, "EC-A1"));
    }
}

/// Shows the urging script and gives the agent until the callback is due.
fn urge(cfg: &Config, contact: &Contact, out: &mut Vec<Action>) {
    if contact.callback(URGE_PAYMENT).is_some_and(|c| c.status == CallbackStatus::Pending) {
        return;
    }
    out.extend(scripts::show(cfg, "urge-payment", contact));
    out.push(act::callback(URGE_PAYMENT, cfg.urge_unpaid_within, "催付:提醒买家为拍下未付款的订单付款(EC-P1)"));
}

fn paid(contact: &Contact, out: &mut Vec<Action>) {
    if contact.callback(URGE_PAYMENT).is_some_and(|c| c.status == CallbackStatus::Pending) {
        out.push(act::cancel_callback(URGE_PAYMENT));
    }
}

/// Shows the verification script and flags a refund above what was paid.
fn amounts(cfg: &Config, contact: &Contact, out: &mut Vec<Action>) {
    out.extend(scripts::show(cfg, "verify-amount", contact));
    let (Some(paid), Some(refund)) = (cents(contact.field("paid_amount")), cents(contact.field("refund_amount")))
    else {
        return;
    };
    if refund > paid {
        out.push(act::violation(
            contact.owner(),
            Violation {
                rule: "EC-A2".into(),
                excerpt: format!("退款{}元 > 实付{}元", yuan(refund), yuan(paid)),
                reason: "涉及金额一定核实清楚、计算准确:退款金额超过了实付金额".into(),
                suggestion: Some(format!("核实后退款金额不超过实付{}元", yuan(paid))),
                points: cfg.inexact_amount_points,
            },
        ));
    }
}

/// An amount in cents ("59.9", "59.90元", "¥59"), exact (no floating point).
fn cents(value: Option<&str>) -> Option<i64> {
    let v = value?.trim().trim_start_matches(['¥', '￥']).trim_end_matches('元').trim();
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let frac = format!("{frac:0<2}");
    Some(whole.parse::<i64>().ok()? * 100 + frac.parse::<i64>().ok()?)
}

fn yuan(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::cents;

    #[test]
    fn amounts_are_exact() {
        assert_eq!(cents(Some("59.9")), Some(5990));
        assert_eq!(cents(Some("¥59.90元")), Some(5990));
        assert_eq!(cents(Some("100")), Some(10000));
        assert_eq!(cents(Some("5.999")), None);
        assert_eq!(cents(Some("abc")), None);
    }
}
