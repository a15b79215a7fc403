//! What the agent says, scene by scene, in the manual's words (事例A and the
//! eight service actions: 礼貌接听 亲切询问 和善安慰 认真解答 耐心再安慰 详细记录
//! 迅速转达 及时回访). Placeholders are filled from the contact, its memory and
//! the parameters, so the same text comes back from `script()` and from the
//! `show-script` actions.

use sopline_sdk::common;
use sopline_sdk::prelude::*;

use crate::config::Config;
use crate::memory;
use crate::rules::Section;

/// Every scene, with its template.
pub const SCENES: &[(&str, &str)] = &[
    // 1.b / 2.b / 5.b: 用标准服务用语进行问候 (事例A).
    ("greeting", "您好,欢迎致电{物业名称}管理处前台客服,请问有什么可以帮助您!"),
    // 1.c: 亲切询问 (事例A: 先生/小姐,请问您贵姓了).
    ("ask-surname", "先生/小姐,请问您贵姓?"),
    // 事例A: **先生/小姐,请问您是多少栋多少号房了?
    ("ask-room", "{称呼},请问您是多少栋多少号房?"),
    // 2.c: 心平气和的倾听,并予以及时的安慰.
    ("comfort", "{称呼},请您别着急,您反映的情况我已经详细记录下来了,我们一定尽快为您处理。"),
    // 5.c: 迅速了解问题性质、地点、时间.
    ("ask-repair-details", "{称呼},请问具体是什么问题、在什么位置、从什么时候开始的?"),
    // 1.e / 2.e / 5.e: 约定回复时间.
    ("agree-reply-time", "{称呼},您的问题我已经详细记录下来,会马上转达相关部门,{回复时限}内给您回复,您看可以吗?"),
    // 2.g / 5.g: 通知完相关部门后回复业主通知结果.
    (
        "notify-result",
        "{称呼},您好!我是{物业名称}管理处前台客服,您{事项}的问题我们已通知{处理部门}负责处理,处理结果我们会及时回复您。",
    ),
    // 1.g: 回复中心回话内容.
    ("answer-result", "{称呼},您好!我是{物业名称}管理处前台客服,关于您咨询的问题,{处理部门}的答复是:{答复内容}"),
    // 2.j / 5.j: 再投诉 — 耐心再安慰.
    ("apology", "{称呼},非常抱歉我们的服务没有及时到位,给您带来了不便。这次由我亲自跟进,{回复时限}内给您回复。"),
    // 3.c: 5秒中内切入正题,不罗嗦;询问使用情况、满意情况.
    (
        "return-visit",
        "{称呼}您好,我是{物业名称}管理处前台客服,回访一下您{事项}的问题,请问现在处理好了吗?您对我们的服务满意吗?",
    ),
    // 3.b: 小孩在家,问候后告知下次时间.
    ("no-answer", "您好,我是{物业名称}管理处前台客服,麻烦转告家里的大人,我们{重拨时间}后再打电话过来,谢谢!"),
    // 4.d: 告知下次回访时间.
    ("next-visit", "感谢您的支持!我们将在{下次回访}后再次回访,祝您生活愉快!"),
    // 3.h: 24小时内回访问题解决情况.
    ("follow-up", "{称呼}您好,我是{物业名称}管理处前台客服,上次回访时您反映的问题,现在解决了吗?您还满意吗?"),
    // 003: 结束引导.
    ("closing", "请问还有其他需求吗?感谢您的来电,祝您生活愉快,再见!"),
];

/// The scene names, for the manifest.
pub fn scenes() -> Vec<String> {
    SCENES.iter().map(|(scene, _)| scene.to_string()).collect()
}

/// The text for `scene`, filled for this contact; `None` for an unknown scene.
pub fn text(config: &Config, scene: &str, contact: &Contact) -> Option<String> {
    let template = SCENES.iter().find(|(s, _)| *s == scene)?.1;
    let section = Section::of(&contact.category);
    let reply = zh(&reply_time(config, section));
    let retry = zh(&config.no_answer_retry);
    let next = contact.memory(memory::NEXT_VISIT).map_or_else(|| zh(&config.second_visit_after), str::to_string);
    let department = contact.memory(memory::HANDED_TO).filter(|d| !d.is_empty()).unwrap_or("相关部门");
    let answer = contact.memory(memory::REPLY_TEXT).unwrap_or("");
    let extra = [
        ("物业名称", config.property_name.as_str()),
        ("回复时限", reply.as_str()),
        ("事项", section.noun()),
        ("处理部门", department),
        ("答复内容", answer),
        ("重拨时间", retry.as_str()),
        ("下次回访", next.as_str()),
    ];
    Some(common::render(template, contact, &extra))
}

/// A `show-script` action for `scene`.
pub fn show(config: &Config, scene: &str, contact: &Contact) -> Action {
    let text = text(config, scene, contact).unwrap_or_default();
    act::script(scene, &text)
}

/// The reply time promised to the owner in this section (1.e / 2.e / 5.e).
pub fn reply_time(config: &Config, section: Section) -> Span {
    match section {
        Section::Consultation => config.consultation_reply,
        Section::Complaint => config.complaint_reply,
        Section::Repair => config.repair_reply,
    }
}

/// A span as an agent says it: "24小时", "30分钟", "3天", "1小时30分钟".
pub fn zh(span: &Span) -> String {
    let (h, m, s) = (span.seconds / 3600, span.seconds / 60 % 60, span.seconds % 60);
    let mut out = String::new();
    for (n, unit) in [(span.days, "天"), (h, "小时"), (m, "分钟"), (s, "秒")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if out.is_empty() { "0分钟".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_spoken_chinese() {
        assert_eq!(zh(&Span::hours(24)), "24小时");
        assert_eq!(zh(&Span::minutes(30)), "30分钟");
        assert_eq!(zh(&Span::days(3)), "3天");
        assert_eq!(zh(&Span::minutes(90)), "1小时30分钟");
    }
}
