//! Checks that need more than a fixed phrase: phone numbers (EC-T4 / EC-T6,
//! which depend on whose number it is), vague times with the precise
//! alternative worked out from the sentence (EC-V1, manual 003:
//! "大概3天到" → "预计3个工作日送达"), and inexact amounts (EC-A2, manual
//! 001: 涉及金额问题,一定核实清楚,计算准确).

use crate::matcher::{Pattern, clauses};

/// Hedges that make a time vague.
const HEDGES: &[&str] =
    &["大概", "大约", "差不多", "估计", "可能", "应该", "也许", "好像", "大致", "估摸", "说不定", "兴许"];

/// Times an agent commits to.
const TIMES: &[&str] = &[
    "#个工作日",
    "#天",
    "#日",
    "#小时",
    "#周",
    "#个星期",
    "#星期",
    "#号",
    "今天",
    "明天",
    "后天",
    "大后天",
    "这周",
    "下周",
    "月底",
    "周#",
    "星期#",
    "几天",
    "过两天",
];

/// A phone number in the text, as (the digits, the excerpt as written).
pub struct PhoneNumber {
    /// The 11 digits.
    pub digits: String,
    /// As the agent wrote it.
    pub excerpt: String,
    /// Whether its clause is about an order, a parcel or its courier.
    pub about_order: bool,
}

/// Mainland mobile numbers (11 digits, 1[3-9]…) that are not part of a longer number.
pub fn phone_numbers(text: &str) -> Vec<PhoneNumber> {
    let mut found = Vec::new();
    for clause in clauses(text) {
        let words: String = clause.iter().map(|(c, _)| *c).collect();
        // An order, a parcel or the courier's own number (快递员电话) is not the agent's private data.
        let about_order = ["单号", "订单", "运单", "快递", "物流", "编号", "配送员", "骑手", "师傅"]
            .iter()
            .any(|w| words.contains(w));
        let mut i = 0;
        while i < clause.len() {
            let run = clause[i..].iter().take_while(|(c, _)| c.is_ascii_digit()).count();
            if run == 0 {
                i += 1;
                continue;
            }
            let digits: String = clause[i..i + run].iter().map(|(c, _)| *c).collect();
            let bytes = digits.as_bytes();
            if run == 11 && bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1]) {
                let (first, last) = (clause[i].1, clause[i + run - 1].1);
                found.push(PhoneNumber { digits, excerpt: text[first..=last].to_string(), about_order });
            }
            i += run;
        }
    }
    found
}

/// Only the digits of a phone number as the customer record holds it.
pub fn digits_of(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// A vague time: the excerpt and the precise wording to use instead.
pub fn vague_time(text: &str) -> Option<(String, String)> {
    let hedged = Pattern::any(HEDGES).gap(3).then(TIMES).not_before(&["前", "以前", "之前"]);
    let approx = Pattern::any(TIMES).then(&["左右", "上下"]);
    let found = hedged
        .find(text)
        .map(|f| (f.excerpt, f.parts[1].clone()))
        .or_else(|| approx.find(text).map(|f| (f.excerpt, f.parts[0].clone())))?;
    let (excerpt, time) = found;
    Some((excerpt, precise(&time, text)))
}

/// "预计3个工作日送达"-style wording for a time and what the sentence is about.
fn precise(time: &str, text: &str) -> String {
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    let what = if has(&["发货", "发出", "寄出", "出库"]) {
        "发货"
    } else if has(&["到账", "退款", "退回", "返还"]) {
        "到账"
    } else if has(&["回复", "答复", "处理", "联系您", "结果"]) {
        "给您答复"
    } else {
        "送达"
    };
    let dated = ["今天", "明天", "后天", "大后天", "这周", "下周", "月底"].contains(&time) || time.ends_with('号');
    if dated {
        return format!("预计{time}{what}");
    }
    let span = match time.strip_suffix('天').or_else(|| time.strip_suffix('日')) {
        Some(n) if n.chars().all(|c| c.is_ascii_digit()) || matches!(n, "几" | "过两") => {
            let n = if matches!(n, "几" | "过两") { "3" } else { n };
            format!("{n}个工作日")
        }
        Some(n) => format!("{n}个工作日"),
        None => time.to_string(),
    };
    if what == "送达" { format!("预计{span}{what}") } else { format!("预计{span}内{what}") }
}

/// An amount given approximately ("大概50块", "50元左右", "几十块").
pub fn inexact_amount(text: &str) -> Option<String> {
    let money = ["#元", "#块", "#毛", "#角"];
    let patterns = [
        Pattern::any(HEDGES).gap(4).then(&money),
        Pattern::any(&money).gap(1).then(&["左右", "上下", "出头", "多一点"]),
        Pattern::any(&["几十", "几百", "几千", "十几", "#多"]).then(&["元", "块"]),
    ];
    patterns.iter().find_map(|p| p.find(text)).map(|f| f.excerpt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vague_times_get_the_precise_alternative() {
        assert_eq!(vague_time("大概3天到"), Some(("大概3天".into(), "预计3个工作日送达".into())));
        assert_eq!(vague_time("估计明天能发货").unwrap().1, "预计明天发货");
        assert_eq!(vague_time("差不多一周左右退款到账").unwrap().1, "预计一周内到账");
        assert_eq!(vague_time("3天左右到").unwrap().1, "预计3个工作日送达");
        assert!(vague_time("预计3个工作日送达").is_none());
        assert!(vague_time("您应该在订单页面点确认收货").is_none());
        assert!(vague_time("应该是3天前就签收了").is_none());
    }

    #[test]
    fn phone_numbers_but_not_longer_numbers() {
        let found = phone_numbers("我的手机 139-1234-5678");
        assert_eq!(found[0].digits, "13912345678");
        assert_eq!(found[0].excerpt, "139-1234-5678");
        assert!(phone_numbers("订单号 2024031512345678901").is_empty());
        assert!(phone_numbers("退款59.90元").is_empty());
        assert!(phone_numbers("运单号13912345678已揽收")[0].about_order);
    }

    #[test]
    fn inexact_amounts() {
        assert_eq!(inexact_amount("大概退您50块左右").as_deref(), Some("大概退您50块"));
        assert_eq!(inexact_amount("退您几十块").as_deref(), Some("几十块"));
        assert!(inexact_amount("退款金额为59.90元").is_none());
        assert!(inexact_amount("满200元减30元").is_none());
    }
}
