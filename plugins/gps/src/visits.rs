//! Return visits and the December call, for as long as the customer is served.
//!
//! "客服部对交付使用的项目建立回访档案,进行定期的电话回访,即一年内项目每月回访一次;
//! 一年以上的项目每季回访一次" and "客服部每年12月负责向新老客户寄送新年礼物,并了解客户
//! 次年的需求计划".
//!
//! Visit `n` is due `months(n)` calendar months after the delivery date, at
//! `visit_time` local: months 1…12, then 15, 18, … Every due time is computed
//! from the delivery date, never from the previous visit, so month ends do
//! not drift (31 Jan → 28 Feb → 31 Mar). Only the next visit is scheduled;
//! it is chained when the current one is attempted (or given up after
//! `visit_max_attempts` unanswered tries), which keeps the contact's list of
//! callbacks short for a customer served for years.

use crate::civil::{Date, TimeOfDay};
use crate::config::Config;
use crate::manifest::{event, rule};
use crate::memory;
use sopline_sdk::prelude::*;

const VISIT: &str = "visit-";
const DECEMBER: &str = "december-";

/// Months after delivery at which visit `n` (1-based) falls due.
pub fn visit_months(config: &Config, n: u32) -> u32 {
    let monthly = config.monthly_visit_months;
    if n <= monthly { n } else { monthly + (n - monthly) * config.later_visit_interval_months }
}

/// When visit `n` falls due for a delivery on `delivered`.
pub fn visit_due(config: &Config, delivered: Date, n: u32) -> Timestamp {
    config.offset.instant(delivered.add_months(visit_months(config, n)), config.visit_time)
}

/// When the December call of `year` falls due.
pub fn december_due(config: &Config, year: i32) -> Timestamp {
    let day = config.december_call_day.min(31);
    config.offset.instant(Date { year, month: 12, day }, config.visit_time)
}

/// The end of December of `year`, local time: the December call's deadline.
fn december_end(config: &Config, year: i32) -> Timestamp {
    config.offset.instant(Date { year: year + 1, month: 1, day: 1 }, TimeOfDay(0))
}

fn visit_callback(config: &Config, delivered: Date, n: u32) -> Action {
    let months = visit_months(config, n);
    let purpose = if months <= config.monthly_visit_months {
        format!("第{n}次定期回访(交付后第{months}个月,一年内每月回访)")
    } else {
        format!("第{n}次定期回访(交付后第{months}个月,一年以上每季回访)")
    };
    act::callback_at(&format!("{VISIT}{n}"), visit_due(config, delivered, n), &purpose)
}

fn december_callback(config: &Config, year: i32) -> Action {
    act::callback_at(
        &format!("{DECEMBER}{year}"),
        december_due(config, year),
        &format!("{year}年12月新年礼物寄送及{}年需求了解", year + 1),
    )
}

fn delivered_on(contact: &Contact) -> Option<Date> {
    contact.memory(memory::DELIVERED_ON).and_then(Date::parse)
}

fn number(contact: &Contact, key: &str) -> Option<i64> {
    contact.memory(key).and_then(|v| v.parse().ok())
}

/// Which of our callbacks an attempt was about.
enum Which {
    Visit(u32),
    December(i32),
}

fn parse_id(id: &str) -> Option<Which> {
    if let Some(n) = id.strip_prefix(VISIT) {
        return n.parse().ok().map(Which::Visit);
    }
    id.strip_prefix(DECEMBER).and_then(|y| y.parse().ok()).map(Which::December)
}

/// The callback an attempt applies to. Without an id the host took the
/// earliest pending one; ours are chained, so only the latest visit and the
/// latest December call can have been pending, and the one the host just
/// updated carries the attempt's outcome.
fn attempted(contact: &Contact, id: &str, outcome: &str) -> Option<(String, Which)> {
    if !id.is_empty() {
        return parse_id(id).map(|w| (id.to_string(), w));
    }
    let candidates = [
        number(contact, memory::VISIT_LAST).map(|n| format!("{VISIT}{n}")),
        number(contact, memory::DECEMBER_LAST).map(|y| format!("{DECEMBER}{y}")),
    ];
    candidates
        .into_iter()
        .flatten()
        .filter_map(|id| contact.callback(&id).map(|c| (id, c)))
        .filter(|(_, c)| c.attempts > 0 && c.last_outcome.as_deref() == Some(outcome))
        .min_by_key(|(_, c)| c.due)
        .and_then(|(id, _)| parse_id(&id).map(|w| (id, w)))
}

/// Starts, chains and checks return visits and December calls.
pub fn on_event(config: &Config, contact: &Contact, ev: &Event, now: Timestamp, out: &mut Vec<Action>) {
    let ended = contact.memory(memory::SERVICE_ENDED).is_some();
    match ev {
        Event::Custom(custom) if custom.kind == event::INSTALLED || custom.kind == event::DELIVERED => {
            if contact.memory(memory::DELIVERED_ON).is_some() || ended {
                return;
            }
            let given = custom.fields.iter().find(|(k, _)| k == "delivered_on").and_then(|(_, v)| Date::parse(v));
            let delivered = given.unwrap_or_else(|| config.offset.local(now).0);
            // A delivery registered late starts with the first visit still ahead.
            let first = (1..).find(|&n| visit_due(config, delivered, n) > now).unwrap_or(1);
            out.push(act::remember(memory::DELIVERED_ON, &delivered.to_string()));
            out.push(act::remember(memory::VISIT_LAST, &first.to_string()));
            out.push(visit_callback(config, delivered, first));
            let (today, _) = config.offset.local(now);
            let year = if december_due(config, today.year) > now { today.year } else { today.year + 1 };
            out.push(act::remember(memory::DECEMBER_LAST, &year.to_string()));
            out.push(december_callback(config, year));
        }
        Event::Custom(custom) if custom.kind == event::SERVICE_ENDED => {
            out.push(act::remember(memory::SERVICE_ENDED, "yes"));
            if let Some(n) = number(contact, memory::VISIT_LAST) {
                out.push(act::cancel_callback(&format!("{VISIT}{n}")));
                out.push(act::cancel(&format!("{VISIT}{n}")));
            }
            if let Some(y) = number(contact, memory::DECEMBER_LAST) {
                out.push(act::cancel_callback(&format!("{DECEMBER}{y}")));
                out.push(act::cancel(&format!("december-call-{y}")));
            }
        }
        Event::CallbackDue(callback) if !ended => match parse_id(&callback.id) {
            Some(Which::Visit(_)) => {
                out.push(act::deadline(&callback.id, config.visit_window));
                if let Some(text) = crate::scripts::render(config, "return_visit", contact) {
                    out.push(act::script("return_visit", &text));
                }
            }
            Some(Which::December(year)) => {
                let left = ((december_end(config, year) - now) / 1000).max(60);
                out.push(act::deadline(&format!("december-call-{year}"), Span::seconds(left as u32)));
                if let Some(text) = crate::scripts::render(config, "december_call", contact) {
                    out.push(act::script("december_call", &text));
                }
            }
            None => {}
        },
        Event::CallbackAttempted(attempt) => {
            let Some((id, which)) = attempted(contact, &attempt.callback, &attempt.outcome) else {
                return;
            };
            let answered = attempt.outcome != "no_answer";
            match which {
                Which::Visit(n) => {
                    out.push(act::meet(&id));
                    let attempts = contact.callback(&id).map_or(0, |c| c.attempts);
                    let give_up = !answered && attempts >= config.visit_max_attempts;
                    if give_up {
                        out.push(act::cancel_callback(&id));
                    }
                    if attempt.outcome == "unsatisfied" {
                        out.push(act::notify(
                            &config.manager,
                            &format!("回访不满意:客户{}第{n}次定期回访反映问题,请跟进处理。", contact.customer.name),
                        ));
                    }
                    let latest = number(contact, memory::VISIT_LAST) == Some(n as i64);
                    if let Some(delivered) = delivered_on(contact).filter(|_| (answered || give_up) && !ended && latest)
                    {
                        out.push(act::remember(memory::VISIT_LAST, &(n + 1).to_string()));
                        out.push(visit_callback(config, delivered, n + 1));
                    }
                }
                Which::December(year) => {
                    if answered {
                        out.push(act::meet(&format!("december-call-{year}")));
                        chain_december(config, contact, year, ended, out);
                    }
                }
            }
        }
        Event::DeadlinePassed(passed) => {
            if let Some(Which::Visit(n)) = parse_id(&passed.name) {
                out.push(act::penalize(
                    "",
                    config.points.return_visit,
                    rule::RETURN_VISIT,
                    &format!("第{n}次定期回访未按时进行"),
                ));
                out.push(act::notify(
                    &config.manager,
                    &format!("客户{}的第{n}次定期回访已超时。", contact.customer.name),
                ));
            } else if let Some(year) = passed.name.strip_prefix("december-call-").and_then(|y| y.parse::<i32>().ok()) {
                out.push(act::penalize(
                    "",
                    config.points.december_call,
                    rule::DECEMBER_CALL,
                    &format!("{year}年12月未完成新年礼物及需求回访"),
                ));
                out.push(act::cancel_callback(&format!("{DECEMBER}{year}")));
                chain_december(config, contact, year, ended, out);
            }
        }
        _ => {}
    }
}

fn chain_december(config: &Config, contact: &Contact, year: i32, ended: bool, out: &mut Vec<Action>) {
    if !ended && number(contact, memory::DECEMBER_LAST) == Some(year as i64) {
        out.push(act::remember(memory::DECEMBER_LAST, &(year + 1).to_string()));
        out.push(december_callback(config, year + 1));
    }
}
