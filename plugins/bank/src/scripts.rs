//! What the agent says, scene by scene, with the manual's wording.
//!
//! The greeting and the identity check deliberately do not name the
//! customer: until 服务确权 the caller may not be the account holder, and
//! saying "王先生" to whoever rang tells them whose account this is.

use sopline_sdk::common;
use sopline_sdk::contact::ContactExt;
use sopline_sdk::template::Vars;
use sopline_sdk::{Contact, Span};

use crate::config::Config;

/// The template of a scene; `None` for a scene the plugin does not know.
fn template(scene: &str, has_agent: bool) -> Option<String> {
    let text: &str = match scene {
        // 003: "您好,很高兴为您服务,请问有什么可以帮您?"; 000: introduce company and own name.
        "greeting" if has_agent => "您好,欢迎致电{银行名称}客户服务中心,工号{工号}很高兴为您服务,请问有什么可以帮您?",
        "greeting" => "您好,欢迎致电{银行名称}客户服务中心,很高兴为您服务,请问有什么可以帮您?",
        // 004 2.1 服务确权制度: "明确每位客户的身份和权益,确保其在金融交易过程中的合法权益不受侵害"。
        "identity-check" => {
            "为确保您在金融交易中的合法权益不受侵害,在查询或办理账户业务前,需要先核实您的身份。请您提供开户时登记的姓名和证件号码,并按语音提示输入查询密码,谢谢配合。"
        }
        "identity-confirmed" => "{称呼},您的身份已核实,感谢您的配合。请问需要为您查询或办理什么业务?",
        // 客户服务规范: "保护客户隐私"。
        "third-party-refusal" => THIRD_PARTY_REFUSAL,
        // 001: apologise and calm, then ask the cause.
        "apology" => return Some(format!("{{称呼}},{}请您慢慢说,我会认真记录。", common::APOLOGY)),
        // 客户投诉处理: "规定客户投诉的受理、处理和回复程序。保证客户能够及时、公正地得到解决"。
        "complaint-acceptance" => {
            "{称呼},您反映的问题我们已经登记受理,受理编号{受理编号}。我们会在{处理时限}内给您处理意见,并由专人跟进到底,请您保持电话畅通。"
        }
        "complaint-reply" => {
            "{称呼},关于您反映的问题(受理编号{受理编号}),处理意见是:{处理意见}。请问您对这个处理结果还有什么意见或要求吗?"
        }
        // 2.2 服务流程管理制度: "服务质量监控、异常处理和事故应急预案"。
        "emergency" => {
            "【事故应急预案】本事件已按重大事件处理并上报{上报对象}。请先安抚客户,记录发生的时间、地点、现象和涉及的账户,不要对处理结果做任何承诺,处理方案由{上报对象}给出。"
        }
        // 2.3 服务质量评估机制: "客户满意度调研和评估的机制"。
        "survey-opening" => {
            "{称呼}您好,我是{银行名称}客户服务中心的回访专员。您之前反映的问题已经处理完毕,想占用您一分钟时间,了解一下您对我们的服务和处理结果是否满意?"
        }
        // 003: "请问还有其他需求吗?"
        "closing" => return Some(format!("{{称呼}},{}{}", common::CLOSING, common::THANKS)),
        _ => return None,
    };
    Some(text.to_string())
}

/// Refusing a caller who is not the account holder (客户服务规范: "保护客户隐私").
const THIRD_PARTY_REFUSAL: &str = "非常抱歉,为保护客户隐私,账户信息只能告知账户本人。请账户本人来电核实身份,或由本人携带有效身份证件到{银行名称}网点办理,感谢您的理解。";

/// The refusal as a suggestion in a privacy violation (no placeholders).
pub const THIRD_PARTY_REFUSAL_HINT: &str =
    "非常抱歉,为保护客户隐私,账户信息只能告知账户本人。请账户本人来电核实身份,或由本人携带有效身份证件到网点办理";

/// The text for `scene`, placeholders filled from the contact and the configuration.
pub fn render(config: &Config, scene: &str, contact: &Contact) -> Option<String> {
    render_with(config, scene, contact, &[])
}

/// [`render`] with values the contact does not hold yet (the reply that just
/// arrived, the rung just escalated to).
pub fn render_with(config: &Config, scene: &str, contact: &Contact, extra: &[(&str, &str)]) -> Option<String> {
    let owner = contact.owner();
    let template = template(scene, !owner.is_empty())?;
    let major = contact.severity == sopline_sdk::Severity::Major;
    let handle = if major { human(config.major_handle_within, false) } else { human(config.handle_within, true) };
    let escalated_to = contact.memory("escalated-to").unwrap_or(&config.rung(config.major_entry_level).to);
    let vars = Vars::for_contact(contact)
        .set("银行名称", &config.bank_name)
        .set("工号", owner)
        .set("受理编号", &contact.id)
        .set("处理时限", &handle)
        .set("处理意见", contact.memory("department-reply").unwrap_or("{处理意见}"))
        .set("上报对象", escalated_to);
    let vars = extra.iter().fold(vars, |vars, (k, v)| vars.set(k, v));
    Some(vars.render(&template))
}

/// A span as a customer hears it: "1个工作日", "2个工作小时", "24小时".
pub fn human(span: Span, business: bool) -> String {
    let hours = span.seconds / 3600;
    let minutes = span.seconds / 60 % 60;
    if business {
        let mut out = String::new();
        if span.days > 0 {
            out.push_str(&format!("{}个工作日", span.days));
        }
        if hours > 0 {
            out.push_str(&format!("{hours}个工作小时"));
        }
        if minutes > 0 || out.is_empty() {
            out.push_str(&format!("{minutes}分钟(工作时间)"));
        }
        out
    } else {
        let hours = span.days * 24 + hours;
        match (hours, minutes) {
            (0, m) => format!("{m}分钟"),
            (h, 0) => format!("{h}小时"),
            (h, m) => format!("{h}小时{m}分钟"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_naturally() {
        assert_eq!(human(Span::days(1), true), "1个工作日");
        assert_eq!(human(Span::hours(2), true), "2个工作小时");
        assert_eq!(human(Span::days(1), false), "24小时");
        assert_eq!(human(Span::minutes(90), false), "1小时30分钟");
    }
}
