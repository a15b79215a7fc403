//! What an agent may not say at a bank: account information before 服务确权,
//! customer data to third parties, exaggerated promises, arguing — plus the
//! norms every manual shares (`sopline_sdk::common`), under bank rule ids.

use sopline_sdk::common;
use sopline_sdk::phrase::{Phrase, Phrasebook};
use sopline_sdk::{Contact, Violation};

use crate::account_info;
use crate::config::Config;
use crate::manifest::rule;
use crate::privacy;

/// Negations that turn a promise into its refusal: "无法保证追回".
const NOT_PROMISED: &[&str] = &["无法", "不能", "不敢", "没法", "不可能", "难以", "很难", "不一定", "不"];

/// The phrase rules, built once per configuration.
pub fn phrasebook(config: &Config) -> Phrasebook {
    let mut promise = common::rash_promises(rule::PROMISE, config.promise_points).phrases(&[
        "稳赚不赔",
        "稳赚",
        "保本保息",
        "零风险",
        "没有任何风险",
        "包赚",
        "包您赚",
        "绝对安全",
        "肯定能批",
        "一定能批",
    ]);
    // Banks promise money back, money arriving, credit approved.
    for adverb in ["保证", "一定能", "肯定能", "绝对能", "百分之百能", "一定会", "肯定会", "绝对会"]
    {
        for outcome in ["追回", "退回", "到账", "赔", "全额", "批下来", "通过审批", "解冻", "撤销", "要回来", "拿回"]
        {
            promise = promise.phrase(Phrase::new(&format!("{adverb}{outcome}")));
        }
    }
    promise.phrases = promise.phrases.into_iter().map(|p| p.not_after(NOT_PROMISED)).collect();
    promise.reason =
        "不得对客户做出夸大其辞的承诺(004 客服人员要求第1条):只说已经确认的处理时间和流程,不保证结果".into();
    promise.suggestion = Some("我们会按规定流程尽快为您核实处理,处理进展和结果会第一时间通知您".into());

    let argue = common::arguing(rule::ARGUE, config.argue_points).phrases(&[
        "是你自己操作",
        "你自己操作错",
        "你自己的责任",
        "你自己没看清",
        "无理取闹",
        "你搞错了",
        "您搞错了",
        "你去投诉吧",
        "你去投诉好了",
        "投诉也没用",
        "告也没用",
        "别跟我吵",
        "你不要跟我吵",
        "你凭什么",
        // 004: "不得……运用某些权威机构的名义对客户施压"
        "我要报警",
        "我就报警",
        "就报警了",
        "监管部门也管不了",
        "银保监会也管不了",
        "找监管也没用",
        "找人民银行也没用",
        "让你上征信",
        "上征信黑名单",
    ]);
    let mut argue = argue;
    argue.reason =
        "不得与客户争辩,不得借权威机构名义施压(004 客服人员要求第1、2条):先认同感受,弄清投诉的真正原因和想要的结果"
            .into();

    // Asking the customer for an estimate ("您卡里大概有多少钱?") is a
    // verification question, not a vague answer.
    let mut vague = common::vague(rule::VAGUE, config.vague_points);
    vague.phrases = vague
        .phrases
        .into_iter()
        .map(|p| p.not_before(&["有多少", "多少", "是多少", "什么时候", "几点", "几天", "哪天"]))
        .collect();

    Phrasebook::new()
        .rule(common::buck_passing(rule::FIRST_RESPONDER, config.buck_passing_points))
        .rule(common::rude(rule::RUDE, config.rude_points))
        .rule(argue)
        .rule(promise)
        .rule(vague)
}

/// Every violation in an agent's message.
pub fn check(config: &Config, book: &Phrasebook, contact: &Contact, text: &str) -> Vec<Violation> {
    let mut found = Vec::new();
    let third_party_caller = privacy::caller_is_third_party(contact);
    if let Some(d) = account_info::find(text) {
        if third_party_caller {
            found.push(Violation {
                rule: rule::PRIVACY.into(),
                excerpt: d.excerpt,
                reason: format!("来电人不是账户本人,不得向其透露客户的{}", d.kind.label()),
                suggestion: Some(crate::scripts::THIRD_PARTY_REFUSAL_HINT.into()),
                points: config.privacy_points,
            });
        } else if !contact.identified {
            found.push(Violation {
                rule: rule::IDENTITY.into(),
                excerpt: d.excerpt,
                reason: format!("服务确权:客户身份尚未核实,不得透露{}", d.kind.label()),
                suggestion: Some("请先核实身份:请您提供开户时登记的姓名和证件号码,并按语音提示输入查询密码".into()),
                points: config.identity_points,
            });
        }
    }
    if !found.iter().any(|v| v.rule == rule::PRIVACY)
        && let Some(excerpt) = privacy::third_party_data(text)
    {
        found.push(Violation {
            rule: rule::PRIVACY.into(),
            excerpt,
            reason: "保护客户隐私:不得把他人的电话、地址、账户等资料告诉来电人".into(),
            suggestion: Some("抱歉,为保护客户隐私,我们不能提供他人的信息,我可以帮您转达,请对方与您联系".into()),
            points: config.privacy_points,
        });
    }
    found.extend(book.check(text));
    found
}
