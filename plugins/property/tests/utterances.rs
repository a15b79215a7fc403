//! 1.i / 2.k / 3.j never-say, 4.j private topics, x.e vague reply times.
mod support;
use support::*;

fn rules(c: &Contact, text: &str) -> Vec<(String, u32)> {
    plugin().check(c, text).into_iter().map(|v| (v.rule, v.points)).collect()
}

fn on_visit() -> Contact {
    visited("complaint", "visit-1", "satisfied")
}

#[test]
fn contradicting_or_rude_words_break_the_never_say_rule_of_the_section() {
    assert_eq!(rules(&call("consultation"), "你听不懂吗?"), [("PM-1.i".to_string(), 5)]);
    assert_eq!(rules(&call("complaint"), "烦不烦啊你"), [("PM-2.k".to_string(), 5)]);
    assert_eq!(rules(&call("repair"), "有完没完"), [("PM-2.k".to_string(), 5)]);
    assert_eq!(rules(&on_visit(), "你爱找谁找谁"), [("PM-3.j".to_string(), 5)]);
}

#[test]
fn buck_passing_and_arguing_are_never_say_too() {
    assert_eq!(rules(&call("complaint"), "这不归我管,你去找别人吧")[0].0, "PM-2.k");
    assert_eq!(rules(&call("complaint"), "那是你自己的问题")[0].0, "PM-2.k");
}

#[test]
fn slamming_the_phone_in_words_is_flagged() {
    let v = plugin().check(&call("complaint"), "不跟你说了!");
    assert_eq!(v[0].rule, "PM-2.k");
    assert_eq!(v[0].excerpt, "不跟你说了");
    assert!(v[0].suggestion.as_deref().unwrap().contains("其他需求"));
}

#[test]
fn promises_at_will_carry_their_own_points() {
    assert_eq!(rules(&call("repair"), "我保证马上修好"), [("PM-2.k".to_string(), 3)]);
    assert!(rules(&call("consultation"), "装修保证金在验收后退还").is_empty());
}

#[test]
fn vague_reply_times_break_the_reply_time_rule() {
    let v = plugin().check(&call("complaint"), "大概3天到吧");
    assert_eq!((v[0].rule.as_str(), v[0].points), ("PM-2.e", 1));
    assert!(v[0].suggestion.as_deref().unwrap().contains("预计3个工作日送达"));
    assert_eq!(rules(&call("repair"), "应该可以吧")[0].0, "PM-5.e");
    assert_eq!(rules(&call("consultation"), "差不多明天")[0].0, "PM-1.e");
    assert!(rules(&call("consultation"), "您应该先关闭总阀").is_empty());
}

#[test]
fn private_topics_are_4j() {
    assert_eq!(rules(&on_visit(), "您结婚了吗?"), [("PM-4.j".to_string(), 2)]);
    assert_eq!(rules(&on_visit(), "您家几口人啊")[0].0, "PM-4.j");
}

#[test]
fn the_manual_s_own_words_pass() {
    let c = call("complaint");
    for text in [
        "您好,欢迎致电红树西岸管理处前台客服,请问有什么可以帮助您!",
        "王先生,请问您是多少栋多少号房?",
        "王先生,请您别着急,您反映的情况我已经详细记录下来了,我们一定尽快为您处理。",
        "您反映的问题我们已通知工程部负责处理,处理结果我们会及时回复您。",
        "请问您对我们的服务满意吗?",
        "请问还有其他需求吗?",
    ] {
        assert!(plugin().check(&c, text).is_empty(), "{text}");
    }
}

#[test]
fn owners_words_are_not_checked() {
    let c = call("complaint");
    assert!(plugin().plugin.check_utterance(&c, Speaker::Customer, "你们烦不烦,有完没完").is_empty());
}

#[test]
fn points_are_parameters() {
    let h = Harness::<Property>::with_params(vec![
        ("rude_points", ParamValue::Integer(9)),
        ("vague_points", ParamValue::Integer(0)),
    ])
    .unwrap();
    let v = h.check(&call("complaint"), "烦不烦,大概明天吧");
    assert_eq!(v.iter().map(|v| (v.rule.as_str(), v.points)).collect::<Vec<_>>(), [("PM-2.k", 9), ("PM-2.e", 0)]);
}
