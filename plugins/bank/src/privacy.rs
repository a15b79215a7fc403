//! Customer data given to a third party (保护客户隐私).
//!
//! Two ways an agent leaks: telling a caller who is not the account holder
//! about the account (the caller's relation is a form field, see
//! [`caller_is_third_party`]), and passing on another person's details
//! ("我把他的电话给你", "收款人的手机号是…"). Refusing to do so mentions the
//! same words ("抱歉,我们不能透露他人的账户信息"), so a negation before
//! the data clears the sentence.

use sopline_sdk::Contact;
use sopline_sdk::contact::ContactExt;

use crate::account_info;
use crate::text::{self, Sentence};

/// The form field that says who is calling, relative to the customer.
pub const CALLER_FIELD: &str = "caller_relation";

/// Values of [`CALLER_FIELD`] that mean the account holder is on the line.
const SELF: &[&str] = &["", "self", "本人", "客户本人", "holder"];

/// Whether the person on the line is not the customer (a relative, an agent
/// acting for them, someone asking about another person).
pub fn caller_is_third_party(contact: &Contact) -> bool {
    contact.field(CALLER_FIELD).is_some_and(|v| !SELF.contains(&v.trim()))
}

const OTHERS: &[&str] = &[
    "他的",
    "她的",
    "他们的",
    "对方的",
    "那位的",
    "那位客户的",
    "其他客户的",
    "别的客户的",
    "别人的",
    "他人的",
    "收款人的",
    "付款人的",
    "您朋友的",
    "您家人的",
    "您爱人的",
    "您老公的",
    "您老婆的",
    "您先生的",
    "您太太的",
    "您父亲的",
    "您母亲的",
    "您儿子的",
    "您女儿的",
];

const PERSONAL_DATA: &[&str] = &[
    "电话",
    "手机",
    "号码",
    "联系方式",
    "微信",
    "地址",
    "住址",
    "身份证",
    "证件号",
    "账户",
    "账号",
    "卡号",
    "余额",
    "交易",
    "流水",
    "工作单位",
    "信息",
    "资料",
    "存款",
];

/// Verbs that hand the data over.
const HAND_OVER: &[&str] =
    &["给你", "给您", "告诉你", "告诉您", "发给你", "发给您", "发你", "发您", "念给你", "念给您", "报给你", "报给您"];

/// Copulas that state the data ("他的电话是138…").
const STATE: &[&str] = &["是", "为", "在", "有", "里有", "还有"];

const NEGATION: &[&str] =
    &["不能", "无法", "不可以", "不便", "不会", "不得", "没法", "不方便", "不允许", "禁止", "保密", "不予", "不可"];

const QUESTION: &[&str] = &["吗", "呢", "多少", "什么", "哪", "几"];

/// The words that pass another person's data on, if the sentence does.
pub fn third_party_data(text_in: &str) -> Option<String> {
    text::sentences(text_in).iter().find_map(in_sentence)
}

fn in_sentence(s: &Sentence) -> Option<String> {
    for other in OTHERS {
        for at in s.find_all(other) {
            let after_other = at + other.chars().count();
            let Some((data_at, data)) = (after_other..after_other + 3)
                .find_map(|i| PERSONAL_DATA.iter().find(|d| s.starts_with_at(i, d)).map(|d| (i, d)))
            else {
                continue;
            };
            if (0..at).any(|i| NEGATION.iter().any(|n| s.starts_with_at(i, n))) {
                continue;
            }
            let data_end = data_at + data.chars().count();
            let window = data_end..(data_end + 8).min(s.chars.len());
            let handed = window
                .clone()
                .find_map(|i| HAND_OVER.iter().find(|v| s.starts_with_at(i, v)).map(|v| i + v.chars().count()));
            let stated = (data_end..(data_end + 3).min(s.chars.len()))
                .find_map(|i| STATE.iter().find(|v| s.starts_with_at(i, v)).map(|_| i))
                .filter(|_| !s.contains_any(QUESTION))
                .and_then(|_| stated_datum(s, data_end));
            if let Some(end) = handed.or(stated) {
                return Some(s.excerpt(at, end));
            }
        }
    }
    None
}

/// After "他的电话是", something concrete must follow: digits, an amount, a place.
fn stated_datum(s: &Sentence, from: usize) -> Option<usize> {
    let rest = &s.chars[from..];
    if let Some(i) = rest.iter().position(|c| c.is_ascii_digit()) {
        let end = from + i + rest[i..].iter().take_while(|c| c.is_ascii_digit() || **c == '*').count();
        return Some(end);
    }
    if account_info::find(&s.text()).is_some() {
        return Some(s.chars.len());
    }
    ["路", "街", "号楼", "小区", "栋", "室", "单元", "公司"]
        .iter()
        .find_map(|w| s.find(w, from).map(|i| i + w.chars().count()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passing_on_data_is_caught_refusing_is_not() {
        assert_eq!(third_party_data("我把他的电话给你,你自己联系吧").as_deref(), Some("他的电话给你"));
        assert!(third_party_data("收款人的手机号是13912345678").is_some());
        assert!(third_party_data("抱歉,我们不能透露他人的账户信息").is_none());
        assert!(third_party_data("请问收款人的账户是您本人的吗?").is_none());
        assert!(third_party_data("他的问题我们已经登记了").is_none());
    }
}
