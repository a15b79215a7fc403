//! What an agent may not say: the common rules every manual shares
//! (`sopline_sdk::common`) under GPS ids, plus three of this manual's own.
//!
//! - GPS-ONSITE-PROMISE: no on-site time before the manager approved the
//!   order ("不得对用户做出夸大其辞的承诺"; 经GPS事业部经理审批…安排合适的维修人员).
//!   A time word followed closely by a visit word ("明天上午上门",
//!   "师傅两小时内到"), unless the sentence conditions it on the approval.
//! - GPS-PRIVACY: another customer's vehicle location or track, or a plate
//!   number that is not on this contact mentioned with a location.
//! - GPS-WARRANTY-PROMISE: "保修期外维修只收零部件费用": no free repair after
//!   the warranty, no waived parts fees.

use crate::config::Config;
use crate::manifest::rule;
use crate::memory;
use sopline_sdk::common;
use sopline_sdk::phrase::{Phrase, PhraseRule, Phrasebook};
use sopline_sdk::prelude::*;

/// The phrase rules, built once in `configure`.
pub fn phrasebook(config: &Config) -> Phrasebook {
    let p = &config.points;
    Phrasebook::new()
        .rule(common::buck_passing(rule::BUCK_PASSING, p.buck_passing))
        .rule(common::rude(rule::RUDE, p.rude))
        .rule(common::arguing(rule::ARGUING, p.arguing))
        .rule(common::rash_promises(rule::RASH_PROMISE, p.rash_promise))
        .rule(common::vague(rule::VAGUE, p.vague))
        .rule(warranty(p.warranty_promise))
}

fn warranty(points: u32) -> PhraseRule {
    PhraseRule::new(rule::WARRANTY_PROMISE, "保修期外维修只收零部件费用:不可承诺过保免费或免收零部件费用", points)
        .phrases(&[
            "过保也免费",
            "过保免费",
            "过保也不收费",
            "过保也不要钱",
            "保修期外免费",
            "保修期外也免费",
            "保修期外也不收费",
            "过了保修期也免费",
            "过了保修期也不收费",
            "过了保修期也不要钱",
            "出保也免费",
            "零部件也免费",
            "配件也免费",
            "配件费给您免了",
            "零部件费给您免了",
            "配件费就免了",
        ])
        .phrase(Phrase::new("不收零部件费").not_after(&["保修期内", "保内"]))
        .phrase(Phrase::new("不收配件费").not_after(&["保修期内", "保内"]))
        .suggest("保修期外维修只收取零部件费用,具体费用以技术人员检测后的报价为准")
}

/// Out of warranty…
const OUT_OF_WARRANTY: &[&str] = &["保修期外", "超出保修期", "超过保修期", "过了保修期", "过保", "出保"];
/// … said to be free …
const FREE: &[&str] = &["全免", "免费", "不收费", "不要钱", "不收钱"];
/// … unless the sentence says what the manual says: only parts are charged.
const PARTS_CHARGED: &[&str] = &["只收", "收取零部件", "零部件费用", "配件费用", "需要收费", "要收费"];

/// "超出保修期的话,维修费全免": free repair after the warranty in other words than the phrase list's.
fn free_after_warranty(config: &Config, text: &str, norm: &[char], origin: &[usize]) -> Option<Violation> {
    if !OUT_OF_WARRANTY.iter().any(|w| contains(norm, w)) || PARTS_CHARGED.iter().any(|w| contains(norm, w)) {
        return None;
    }
    let (start, end) = FREE.iter().flat_map(|w| find_all(norm, w)).min()?;
    Some(Violation {
        rule: rule::WARRANTY_PROMISE.into(),
        excerpt: excerpt(text, origin, start, end),
        reason: "保修期外维修只收零部件费用:不可承诺过保免费或免收零部件费用".into(),
        suggestion: Some("保修期外维修只收取零部件费用,具体费用以技术人员检测后的报价为准".into()),
        points: config.points.warranty_promise,
    })
}

/// Characters kept for matching, each with the byte offset of its original.
/// Spaces and punctuation go; full-width letters and digits become ASCII.
fn normalize(text: &str) -> (Vec<char>, Vec<usize>) {
    text.char_indices()
        .filter_map(|(i, c)| {
            let c = sopline_sdk::phrase::fold_width(c);
            c.is_alphanumeric().then(|| (c.to_ascii_lowercase(), i))
        })
        .unzip()
}

fn find_all(hay: &[char], needle: &str) -> Vec<(usize, usize)> {
    let needle: Vec<char> = needle.chars().collect();
    if needle.is_empty() || hay.len() < needle.len() {
        return Vec::new();
    }
    (0..=hay.len() - needle.len())
        .filter(|&i| hay[i..i + needle.len()] == needle[..])
        .map(|i| (i, i + needle.len()))
        .collect()
}

fn contains(hay: &[char], needle: &str) -> bool {
    !find_all(hay, needle).is_empty()
}

fn excerpt(text: &str, origin: &[usize], start: usize, end: usize) -> String {
    sopline_sdk::phrase::excerpt(text, origin[start], origin[end - 1])
}

const TIME_WORDS: &[&str] = &[
    "今天",
    "明天",
    "后天",
    "今晚",
    "明早",
    "马上",
    "立刻",
    "立即",
    "稍后",
    "一会儿",
    "半小时",
    "小时内",
    "小时之内",
    "分钟内",
    "上午",
    "下午",
    "晚上",
    "点前",
    "点之前",
    "点左右",
    "点钟",
    "点半",
    "周一",
    "周二",
    "周三",
    "周四",
    "周五",
    "周六",
    "周日",
    "星期",
];
const VISIT_WORDS: &[&str] = &[
    "上门",
    "到现场",
    "到场",
    "赶到",
    "赶过去",
    "过去",
    "到您那",
    "到您这",
    "派人",
    "派师傅",
    "派技术",
    "安排师傅",
    "安排技术",
    "安排人员",
    "就到",
    "去您那",
    "到您公司",
    "到贵公司",
];
/// Words that make the time conditional on the approval, or say it is not yet known.
const CONDITIONS: &[&str] = &[
    "审批后",
    "审批通过",
    "审批下来",
    "审批完",
    "待审批",
    "等审批",
    "经理审批",
    "确认后",
    "再与您确认",
    "再跟您确认",
    "再和您确认",
    "不能承诺",
    "无法承诺",
    "暂时不能确定",
];
/// Visit words that end a conversation rather than announce a visit
/// ("回访就到这里", "今天就到此为止").
const NOT_A_VISIT: &[(&str, &[&str])] =
    &[("就到", &["这", "此", "那", "年", "月", "周", "春", "节"]), ("过去", &["的", "了", "几", "一", "两", "三"])];
/// How many characters may stand between the time and the visit word.
const PROMISE_WINDOW: usize = 10;

fn onsite_promise(
    config: &Config,
    contact: &Contact,
    text: &str,
    norm: &[char],
    origin: &[usize],
) -> Option<Violation> {
    if contact.memory(memory::APPROVED_BY).is_some() || CONDITIONS.iter().any(|c| contains(norm, c)) {
        return None;
    }
    let times = TIME_WORDS.iter().flat_map(|w| find_all(norm, w));
    let visits: Vec<(usize, usize)> = VISIT_WORDS
        .iter()
        .flat_map(|w| find_all(norm, w).into_iter().map(move |hit| (*w, hit)))
        .filter(|(w, (_, end))| {
            let after: String = norm[*end..].iter().take(1).collect();
            !NOT_A_VISIT.iter().any(|(word, next)| word == w && next.contains(&after.as_str()))
        })
        .map(|(_, hit)| hit)
        .collect();
    let (start, end) = times
        .filter_map(|(ts, te)| {
            visits.iter().find(|(vs, _)| *vs >= te && *vs - te <= PROMISE_WINDOW).map(|(_, ve)| (ts, *ve))
        })
        .min()?;
    Some(Violation {
        rule: rule::ONSITE_PROMISE.into(),
        excerpt: excerpt(text, origin, start, end),
        reason: "派工单/维修服务单未经GPS事业部经理审批前,不可承诺上门时间".into(),
        suggestion: Some("单据审批通过后,我们会第一时间安排技术人员,并与您确认上门时间".into()),
        points: config.points.onsite_promise,
    })
}

const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

/// Plate numbers in normalized text: province, letter, then 5 or 6 letters and digits.
fn plates(norm: &[char]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i + 7 <= norm.len() {
        if PROVINCES.contains(norm[i]) && norm[i + 1].is_ascii_lowercase() {
            let tail = norm[i + 2..].iter().take(6).take_while(|c| c.is_ascii_alphanumeric()).count();
            if tail >= 5 {
                found.push((i, i + 2 + tail));
                i += 2 + tail;
                continue;
            }
        }
        i += 1;
    }
    found
}

fn own_plates(contact: &Contact) -> Vec<String> {
    contact
        .fields
        .iter()
        .chain(&contact.customer.extra)
        .flat_map(|(_, v)| {
            let (norm, _) = normalize(v);
            plates(&norm).into_iter().map(move |(s, e)| norm[s..e].iter().collect::<String>())
        })
        .collect()
}

const OTHERS: &[&str] = &[
    "别的客户",
    "其他客户",
    "另一个客户",
    "另一位客户",
    "另外一个客户",
    "另一家",
    "别家",
    "别的公司",
    "其他公司",
    "其他单位",
    "别的单位",
    "别人的车",
    "别人家的车",
    "其他车主",
    "别的车主",
    "其他用户",
    "别的用户",
    "隔壁公司",
];
/// Words that say where a vehicle is or went.
const LOCATION_WORDS: &[&str] =
    &["位置", "定位", "轨迹", "在哪", "停在", "行驶", "开到", "现在在", "路线", "跑到", "在高速"];
/// Data about another customer's vehicle: where it is, or its plate. A plate
/// alone is not a disclosure when the agent repeats what the customer said
/// ("您说的车牌是沪C54321吗?"), so for plates only a location counts.
const VEHICLE_DATA: &[&str] = &["车牌", "车号"];
const DISCRETION: &[&str] = &["不能透露", "无法透露", "不方便透露", "不能提供", "无法提供", "保密", "不能告诉"];

fn privacy(config: &Config, contact: &Contact, text: &str, norm: &[char], origin: &[usize]) -> Option<Violation> {
    if DISCRETION.iter().any(|d| contains(norm, d)) {
        return None;
    }
    let located = LOCATION_WORDS.iter().any(|w| contains(norm, w));
    let about_vehicle = located || VEHICLE_DATA.iter().any(|w| contains(norm, w));
    let other = OTHERS.iter().flat_map(|w| find_all(norm, w)).min();
    let own = own_plates(contact);
    let foreign_plate = plates(norm).into_iter().find(|(s, e)| !own.contains(&norm[*s..*e].iter().collect::<String>()));
    let (start, end) = match (other, foreign_plate) {
        (Some(hit), _) if about_vehicle => hit,
        (_, Some(hit)) if located || other.is_some() => hit,
        _ => return None,
    };
    Some(Violation {
        rule: rule::PRIVACY.into(),
        excerpt: excerpt(text, origin, start, end),
        reason: "不可透露其他客户的车辆位置、轨迹或车牌;只说明本客户已登记车辆的信息".into(),
        suggestion: Some("其他客户的车辆信息我们需要保密,请您谅解".into()),
        points: config.points.privacy,
    })
}

/// All violations in what an agent said, in rule order.
pub fn check(config: &Config, book: &Phrasebook, contact: &Contact, speaker: Speaker, text: &str) -> Vec<Violation> {
    if speaker != Speaker::Agent {
        return Vec::new();
    }
    let mut found = book.check(text);
    let (norm, origin) = normalize(text);
    found.extend(onsite_promise(config, contact, text, &norm, &origin));
    found.extend(privacy(config, contact, text, &norm, &origin));
    if !found.iter().any(|v| v.rule == rule::WARRANTY_PROMISE) {
        found.extend(free_after_warranty(config, text, &norm, &origin));
    }
    found
}
