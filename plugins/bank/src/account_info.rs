//! Account information in an agent's sentence (服务确权).
//!
//! The manual (004, 2.1 服务确权制度) asks the bank to "明确每位客户的身份和权益"
//! and to "建立客户身份验证机制": nothing about an account may be said to a
//! caller before their identity is verified. The host's `identified` flag says
//! whether the customer was verified; this module says whether a sentence
//! *discloses* account information, which is what the agent can get wrong.
//!
//! A disclosure carries a datum tied to the account — a card number (full or
//! masked), a balance, a transaction with its amount or date, an account's
//! status. Talking *about* these things without a datum is innocent:
//! "请问您需要查询余额吗", "转账手续费每笔2元", "如果余额不足，扣款会失败".

use crate::text::{self, Sentence};

/// What kind of account information a sentence gives away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A full or masked card or account number.
    CardNumber,
    /// A balance, an available credit line, a bill or a debt.
    Balance,
    /// A transaction with its amount or date.
    Transaction,
    /// The account is frozen, blocked, overdue …
    Status,
}

impl Kind {
    /// How the agent is told what they disclosed.
    pub fn label(self) -> &'static str {
        match self {
            Kind::CardNumber => "卡号",
            Kind::Balance => "余额或额度",
            Kind::Transaction => "交易明细",
            Kind::Status => "账户状态",
        }
    }
}

/// One disclosure: its kind and the words, as the agent wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    /// What was disclosed.
    pub kind: Kind,
    /// The words that disclose it.
    pub excerpt: String,
}

/// Words that make a sentence hypothetical: it explains a rule, it tells
/// nothing about this customer's account.
const CONDITIONAL: &[&str] = &["如果", "若", "假如", "万一", "一旦", "假设", "比如", "例如", "倘若", "要是"];

/// Words that make an amount a price, a limit or a threshold rather than
/// something in the customer's account.
const GENERIC_AMOUNT: &[&str] = &[
    "手续费",
    "费率",
    "利率",
    "年费",
    "工本费",
    "限额",
    "上限",
    "下限",
    "最高",
    "最低",
    "不超过",
    "超过",
    "以上",
    "以下",
    "以内",
    "每笔",
    "单笔",
    "每日",
    "每天",
    "每月",
    "免费",
    "收费",
    "标准",
    "起存",
    "起购",
    "起点",
];

const TRANSACTION: &[&str] = &[
    "转账", "交易", "扣款", "扣费", "划扣", "代扣", "消费", "入账", "到账", "转入", "转出", "汇款", "汇入", "取现",
    "取款", "还款", "退款", "支出", "刷卡", "存入",
];

/// Predicates after 余额 that state the balance without a number.
const BALANCE_STATE: &[&str] = &[
    "不足",
    "不够",
    "为零",
    "为0",
    "为负",
    "用完",
    "已用",
    "没有了",
    "没了",
    "只剩",
    "仅剩",
    "还剩",
    "剩下",
    "足够",
    "充足",
];

/// Words between 余额 and its predicate that change nothing ("余额目前只剩").
const BALANCE_FILLER: &[&str] = &["目前", "现在", "当前", "已经", "都", "已", "还", "只", "仅", "就", "也"];

const HOLDINGS: &[&str] = &[
    "卡里",
    "卡上",
    "卡内",
    "卡中",
    "账户里",
    "账户内",
    "账户中",
    "账户上",
    "账上",
    "户头上",
    "户头里",
    "账户还有",
    "账户余",
    "存款",
    "定期",
    "存单",
    "理财",
];

/// A particular transaction ("这笔交易") and the details that describe it.
const THIS_ONE: &[&str] = &["这笔", "那笔", "该笔", "此笔"];
const DETAIL: &[&str] = &["商户", "对方", "收款方", "收款人", "付款方", "付款人", "用途", "备注", "附言", "地点"];

const CREDIT: &[&str] = &[
    "可用额度",
    "剩余额度",
    "信用额度",
    "欠款",
    "应还",
    "待还",
    "本期账单",
    "账单金额",
    "最低还款",
    "逾期金额",
    "透支了",
    "已透支",
    "未还",
];

const STATUS_SUBJECT: &[&str] = &["账户", "卡", "账号"];
const STATUS_VERB: &[&str] = &["已被", "已经被", "被", "已经", "已", "处于"];
const STATUS_STATE: &[&str] = &["冻结", "止付", "锁定", "挂失", "销户", "注销", "逾期", "睡眠", "久悬", "控制"];

/// Words before a long number that make it a reference, not a card.
const REFERENCE: &[&str] = &["编号", "单号", "工单", "订单", "受理号", "流水号"];

/// The first disclosure in `text`, if any.
pub fn find(text: &str) -> Option<Disclosure> {
    text::sentences(text).iter().find_map(in_sentence)
}

fn in_sentence(s: &Sentence) -> Option<Disclosure> {
    if let Some(d) = card_number(s) {
        return Some(d);
    }
    if s.contains_any(CONDITIONAL) {
        return None;
    }
    balance(s).or_else(|| transaction(s)).or_else(|| status(s))
}

fn hit(s: &Sentence, kind: Kind, start: usize, end: usize) -> Option<Disclosure> {
    Some(Disclosure { kind, excerpt: s.excerpt(start, end) })
}

fn card_number(s: &Sentence) -> Option<Disclosure> {
    if let Some(&(a, b)) = text::masked_numbers(s).first() {
        return hit(s, Kind::CardNumber, a, b);
    }
    for (a, b, digits) in text::digit_runs(s) {
        let preceded_by_letter = a > 0 && s.chars[a - 1].is_ascii_alphabetic();
        let reference = REFERENCE.iter().any(|w| {
            let n = w.chars().count();
            (a.saturating_sub(n + 2)..a).any(|i| s.starts_with_at(i, w))
        });
        if (16..=19).contains(&digits) && !preceded_by_letter && !reference {
            return hit(s, Kind::CardNumber, a, b);
        }
    }
    // 尾号1234 of a card or an account (not of a phone).
    for at in s.find_all("尾号") {
        let mut k = at + 2;
        if s.starts_with_at(k, "是") || s.starts_with_at(k, "为") {
            k += 1;
        }
        let digits = s.chars[k.min(s.chars.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
        let before = &s.chars[at.saturating_sub(6)..at];
        let after = &s.chars[(k + digits).min(s.chars.len())..];
        let about_card =
            before.iter().any(|c| matches!(c, '卡' | '账')) || after.iter().take(5).any(|c| matches!(c, '卡' | '账'));
        let about_phone = before.iter().any(|c| matches!(c, '手' | '机' | '电' | '话'));
        if digits == 4 && about_card && !about_phone {
            return hit(s, Kind::CardNumber, at, k + digits);
        }
    }
    None
}

/// Whether the sentence speaks of prices, limits or thresholds. A marker
/// inside an account word ("最低还款" is a bill, not a minimum) does not count.
fn is_generic(s: &Sentence) -> bool {
    let covered: Vec<(usize, usize)> =
        CREDIT.iter().flat_map(|w| s.find_all(w).into_iter().map(move |i| (i, i + w.chars().count()))).collect();
    GENERIC_AMOUNT.iter().any(|m| {
        let n = m.chars().count();
        s.find_all(m).into_iter().any(|i| !covered.iter().any(|&(a, b)| a <= i && i + n <= b))
    })
}

fn balance(s: &Sentence) -> Option<Disclosure> {
    let amounts = text::amounts(s);
    let generic = is_generic(s);
    for at in s.find_all("余额") {
        if s.starts_with_at(at + 2, "宝") {
            continue;
        }
        let mut k = at + 2;
        'filler: loop {
            for f in BALANCE_FILLER {
                if s.starts_with_at(k, f) {
                    k += f.chars().count();
                    continue 'filler;
                }
            }
            break;
        }
        if let Some(p) = BALANCE_STATE.iter().find(|p| s.starts_with_at(k, p)) {
            let end = k + p.chars().count();
            let end = amounts.iter().find(|(a, _)| *a >= end && *a <= end + 1).map_or(end, |&(_, b)| b);
            return hit(s, Kind::Balance, at, end);
        }
        if let Some(&(_, b)) = amounts.iter().find(|(a, _)| *a >= at && *a <= at + 10) {
            return hit(s, Kind::Balance, at, b);
        }
    }
    if generic {
        return None;
    }
    for word in HOLDINGS.iter().chain(CREDIT) {
        for at in s.find_all(word) {
            if let Some(&(_, b)) = amounts.iter().find(|(a, _)| *a >= at && *a <= at + word.chars().count() + 8) {
                return hit(s, Kind::Balance, at, b);
            }
        }
    }
    None
}

fn transaction(s: &Sentence) -> Option<Disclosure> {
    let keyword =
        TRANSACTION.iter().flat_map(|w| s.find_all(w).into_iter().map(move |i| (i, i + w.chars().count()))).min()?;
    let dates = text::dates(s);
    let amounts = if is_generic(s) { Vec::new() } else { text::amounts(s) };
    let detail = THIS_ONE
        .iter()
        .filter(|w| s.starts_with_at(keyword.0.saturating_sub(w.chars().count()), w))
        .find_map(|_| DETAIL.iter().find_map(|d| s.find(d, keyword.1).map(|i| (i, i + d.chars().count()))));
    let datum = dates.first().into_iter().chain(amounts.first()).chain(detail.as_ref()).copied().min()?;
    let (a, b) = (keyword.0.min(datum.0), keyword.1.max(datum.1));
    hit(s, Kind::Transaction, a, b)
}

fn status(s: &Sentence) -> Option<Disclosure> {
    if !s.contains("您") && !s.contains("你") {
        return None;
    }
    for subject in STATUS_SUBJECT {
        for at in s.find_all(subject) {
            let from = at + subject.chars().count();
            for gap in 0..=4 {
                for verb in STATUS_VERB {
                    let k = from + gap;
                    if !s.starts_with_at(k, verb) {
                        continue;
                    }
                    let v = k + verb.chars().count();
                    if let Some(state) = STATUS_STATE.iter().find(|st| s.starts_with_at(v, st)) {
                        return hit(s, Kind::Status, at, v + state.chars().count());
                    }
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<Kind> {
        find(text).map(|d| d.kind)
    }

    #[test]
    fn balance_stated_or_asked() {
        assert_eq!(kind("您的余额不足以支付本期账单"), Some(Kind::Balance));
        assert_eq!(find("您账户余额目前只剩120元了").unwrap().excerpt, "余额目前只剩120元");
        assert_eq!(kind("请问您需要查询余额吗?"), None);
        assert_eq!(kind("如果余额不足,代扣会失败"), None);
        assert_eq!(kind("余额宝的收益不是我行产品"), None);
    }

    #[test]
    fn transactions_need_a_datum_and_an_account() {
        assert_eq!(kind("您3月1日有一笔转账已经到账"), Some(Kind::Transaction));
        assert_eq!(kind("跨行转账每笔收取2元手续费"), None);
        assert_eq!(kind("请问您最近一笔交易是什么时候?"), None);
    }

    #[test]
    fn references_are_not_cards() {
        assert_eq!(kind("您的投诉受理编号是2026030200012345"), None);
        assert_eq!(kind("您的卡号是6222021234567890123"), Some(Kind::CardNumber));
    }
}
