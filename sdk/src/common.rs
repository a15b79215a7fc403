//! What every SOP manual says alike: the standard scripts and the phrases no
//! agent may use, whatever the industry.
//!
//! The manuals (000 呼叫中心客户服务规范, 001 电商客服, 003 话术规范, 004 首问负责制)
//! repeat the same norms: open with a standard greeting, close by asking for
//! further needs, address the customer by surname, never pass the buck, never
//! argue or be rude, never promise at will, and never be vague about times.
//! Plugins reuse these so that the same words are judged the same way in
//! every department; each plugin chooses the rule id and the points so the
//! violation is reported under its own manual's numbering:
//!
//! ```
//! use sopline_sdk::common;
//! use sopline_sdk::phrase::Phrasebook;
//!
//! let book = Phrasebook::new()
//!     .rule(common::buck_passing("PM-0.a", 5))
//!     .rule(common::rude("PM-1.i", 5));
//! assert_eq!(book.check("这不归我管")[0].rule, "PM-0.a");
//! assert!(book.check("这件事由我负责跟进").is_empty());
//! ```
//!
//! The phrase lists only grow between SDK versions; a phrase is removed only
//! when it was found to flag harmless sentences.

use crate::Contact;
use crate::phrase::{Phrase, PhraseRule};
use crate::template::Vars;

/// The opening when no industry greeting applies (003: 开场问候).
pub const OPENING: &str = "您好,很高兴为您服务,请问有什么可以帮您?";

/// The closing question before ending a conversation (003: 结束引导).
pub const CLOSING: &str = "请问还有其他需求吗?";

/// Asking the customer's surname so the agent can address them by it.
pub const ASK_SURNAME: &str = "请问您贵姓?";

/// Addressing the customer by surname: `{称呼}` filled by [`Vars::for_contact`].
pub const ADDRESS: &str = "{称呼}";

/// Calming an upset customer before asking the cause (001: 道歉安抚).
pub const APOLOGY: &str = "非常抱歉给您带来不便,请您别着急,我们一定认真处理。";

/// Thanking the customer at the end (000: 您好、谢谢、请).
pub const THANKS: &str = "感谢您的来电,祝您生活愉快,再见!";

/// How to refer to the customer: "王先生", "王女士", the full name when the
/// gender is unknown, or "您" when there is no name.
pub fn address(contact: &Contact) -> String {
    Vars::for_contact(contact).render(ADDRESS)
}

/// Fills a script with the contact's placeholders (`{称呼}`, `{客户姓氏}`,
/// `{客户姓名}`) and the given extra values (`("物业名称", "红树西岸")`).
pub fn render(template: &str, contact: &Contact, extra: &[(&str, &str)]) -> String {
    let vars = extra.iter().fold(Vars::for_contact(contact), |vars, (k, v)| vars.set(k, v));
    vars.render(template)
}

/// 首问负责制 (004): whoever first takes a contact owns it; sending the
/// customer elsewhere is buck-passing (推诿、扯皮).
pub fn buck_passing(rule: &str, points: u32) -> PhraseRule {
    PhraseRule::new(rule, "首问负责制:第一位接待的客服对问题负责到底,不可推诿、扯皮", points)
        .phrases(&[
            "你去找别人吧",
            "你去找别人",
            "你找别人吧",
            "你找别的部门",
            "这不归我管",
            "不归我管",
            "不关我的事",
            "跟我没关系",
            "和我没关系",
            "这不是我负责的",
            "不是我负责的",
            "我管不了",
            "你自己看着办",
            "你自己想办法",
            "你自己去问",
            "你打别的电话",
        ])
        .suggest("这个问题由我来负责跟进,我先详细记录下来,再转达相关部门,处理结果我会及时回复您")
}

/// 态度粗暴、顶撞客户 (000/002/004): impatient or hostile words.
pub fn rude(rule: &str, points: u32) -> PhraseRule {
    PhraseRule::new(rule, "不可顶撞客户、不可态度粗暴:保持耐心,语调平和", points)
        .phrases(&[
            "你听不懂吗",
            "听不懂吗",
            "听不明白吗",
            "你烦不烦",
            "烦不烦",
            "有完没完",
            "你爱找谁找谁",
            "爱找谁找谁",
            "爱投诉就投诉",
            "随便你投诉",
            "我已经说过了",
            "说了多少遍",
            "你到底想怎样",
            "你到底想怎么样",
            "你有病",
            "神经病",
            "你懂不懂",
            "不可理喻",
        ])
        .suggest("非常理解您的心情,请您别着急,我再为您详细说明一次")
}

/// 不可无理辩解、不与客户争辩 (001/002/004): arguing back or shifting the blame
/// to the customer.
pub fn arguing(rule: &str, points: u32) -> PhraseRule {
    PhraseRule::new(rule, "不可无理辩解、不与客户争辩:先认同感受,再说明处理办法", points)
        .phrases(&[
            "那是你自己的问题",
            "是你自己的问题",
            "这是你的问题",
            "怪你自己",
            "又不是我的错",
            "不是我们的错",
            "我又没说错",
            "我没说错啊",
            "你厉害",
            "你说了算",
            "这你都知道",
            "呵呵了",
            "我也没办法",
        ])
        .phrase(Phrase::new("你对").not_before(&["我们", "本", "此", "这", "该", "物业", "服务", "小区", "管理"]))
        .suggest("非常理解您的感受,给您带来不便很抱歉,我们来看看怎么尽快帮您解决")
}

/// 不可随意许诺 (002/004: 不得做出夸大其辞的承诺): promising what nobody has
/// agreed. "保证金" and "质量保证" are ordinary words, not promises.
pub fn rash_promises(rule: &str, points: u32) -> PhraseRule {
    PhraseRule::new(rule, "不可随意许诺:只承诺已确认的处理时间和结果", points)
        .phrases(&[
            "保证马上",
            "肯定没问题",
            "绝对没问题",
            "百分之百",
            "百分百",
            "包您满意",
            "包你满意",
            "一定给您免费",
            "马上就能解决",
        ])
        .phrase(Phrase::new("我保证").not_before(&["金", "书"]))
        .phrase(
            Phrase::new("保证")
                .not_before(&["金", "书", "期", "人", "函"])
                .not_after(&["质量", "履约", "安全", "我", "提供"]),
        )
        .phrase(Phrase::new("绝对").not_before(&["值", "温度", "湿度", "路径"]))
        .suggest("我会立即把问题转达相关部门,并在约定的时间内回复您处理结果")
}

/// 模糊表述 (003): vague words about times and results, to be replaced by a
/// precise commitment ("大概3天到" → "预计3个工作日送达"). "应该" alone is
/// ordinary ("您应该先关闭总阀"); only the hedged answers are flagged.
pub fn vague(rule: &str, points: u32) -> PhraseRule {
    PhraseRule::new(rule, "不用模糊表述:说明确的时间和结果", points)
        .phrase(Phrase::new("大概").not_before(&["情况", "意思", "内容", "位置", "经过", "描述", "说一下", "讲一下"]))
        .phrase(Phrase::new("差不多").not_before(&["了解", "明白"]))
        .phrases(&[
            "应该可以吧",
            "应该没问题吧",
            "应该吧",
            "可能吧",
            "也许吧",
            "说不准",
            "说不好",
            "看情况吧",
            "估计吧",
            "过几天",
        ])
        .suggest("用确定的说法,例如把“大概3天到”说成“预计3个工作日送达”")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phrase::Phrasebook;
    use crate::testing::contact;

    fn book() -> Phrasebook {
        Phrasebook::new()
            .rule(buck_passing("buck", 5))
            .rule(rude("rude", 4))
            .rule(arguing("argue", 3))
            .rule(rash_promises("promise", 2))
            .rule(vague("vague", 1))
    }

    fn rules_hit(text: &str) -> Vec<String> {
        book().check(text).into_iter().map(|v| v.rule).collect()
    }

    #[test]
    fn buck_passing_is_flagged_with_points_and_suggestion() {
        for text in ["你去找别人吧", "这不归我管。", "这 不关我的事", "那你自己看着办!"] {
            let hits = book().check(text);
            assert_eq!(hits.len(), 1, "{text}: {hits:?}");
            assert_eq!((hits[0].rule.as_str(), hits[0].points), ("buck", 5));
            assert!(hits[0].suggestion.as_deref().unwrap().contains("负责跟进"));
        }
        assert!(rules_hit("这个问题由我负责跟进到底").is_empty());
        assert!(rules_hit("我帮您联系工程部的同事").is_empty());
    }

    #[test]
    fn rude_and_arguing_words_are_flagged() {
        assert_eq!(rules_hit("你听不懂吗?"), ["rude"]);
        assert_eq!(rules_hit("烦不烦啊"), ["rude"]);
        assert_eq!(rules_hit("有完没完"), ["rude"]);
        assert_eq!(rules_hit("你爱找谁找谁"), ["rude"]);
        assert_eq!(rules_hit("那是你自己的问题"), ["argue"]);
        assert_eq!(rules_hit("你对,你说了算"), ["argue"]);
        assert_eq!(book().check("呵呵了")[0].excerpt, "呵呵了");
    }

    #[test]
    fn ordinary_sentences_are_not_arguing() {
        assert!(rules_hit("感谢您对我们服务的支持").is_empty());
        assert!(rules_hit("请问你对物业服务还满意吗").is_empty());
        assert!(rules_hit("您反映的问题我已经记录下来了").is_empty());
    }

    #[test]
    fn rash_promises_are_flagged_but_not_deposits() {
        assert_eq!(rules_hit("我保证马上给您修好"), ["promise"]);
        assert_eq!(rules_hit("肯定没问题的"), ["promise"]);
        assert_eq!(rules_hit("百分之百今天解决"), ["promise"]);
        assert_eq!(rules_hit("绝对不会再漏水"), ["promise"]);
        assert!(rules_hit("装修保证金在退房时退还").is_empty());
        assert!(rules_hit("这是产品的质量保证书").is_empty());
        assert!(rules_hit("我们会在约定时间内回复您").is_empty());
    }

    #[test]
    fn vague_phrasing_is_flagged_with_the_precise_alternative() {
        let hit = &book().check("大概3天到")[0];
        assert_eq!((hit.rule.as_str(), hit.excerpt.as_str()), ("vague", "大概"));
        assert!(hit.suggestion.as_deref().unwrap().contains("预计3个工作日送达"));
        assert_eq!(rules_hit("应该可以吧"), ["vague"]);
        assert_eq!(rules_hit("差不多明天吧"), ["vague"]);
        assert_eq!(rules_hit("过几天就好了"), ["vague"]);
    }

    #[test]
    fn precise_or_neutral_sentences_are_not_vague() {
        assert!(rules_hit("预计3个工作日送达").is_empty());
        assert!(rules_hit("您应该先关闭厨房的总阀").is_empty());
        assert!(rules_hit("请您说一下大概情况").is_empty());
        assert!(rules_hit("我差不多了解您的问题了").is_empty());
    }

    #[test]
    fn scripts_address_the_customer() {
        let male = contact().field("gender", "男").build();
        assert_eq!(address(&male), "王先生");
        let unknown = contact().customer_name("").build();
        assert_eq!(address(&unknown), "您");
        let text = render("{称呼},欢迎致电{物业名称}", &male, &[("物业名称", "红树西岸")]);
        assert_eq!(text, "王先生,欢迎致电红树西岸");
        assert!(OPENING.starts_with("您好") && CLOSING.contains("其他需求"));
    }
}
