//! Every rule of the bank plugin, kept and breached, through the native harness.

use sopline_plugin_bank::Bank;
use sopline_plugin_bank::manifest::SCENES;
use sopline_sdk::testing::{
    Harness, at, contact, deadline, escalations, has_deadline, met, penalties, rewards, scripts,
};
use sopline_sdk::*;

fn h() -> Harness<Bank> {
    Harness::new()
}

fn rules(v: &[Violation]) -> Vec<&str> {
    v.iter().map(|v| v.rule.as_str()).collect()
}

fn passed(name: &str) -> Event {
    Event::DeadlinePassed(DeadlinePassed { name: name.into(), due: at(0) })
}

fn complaint() -> sopline_sdk::testing::ContactBuilder {
    contact().category("complaint").agent("a1").state(State::InProgress)
}

// ---- BANK-ID-1 服务确权 -------------------------------------------------

#[test]
fn identity_breached_before_verification_kept_after() {
    let text = "您的余额不足以支付本期账单";
    let before = h().check(&contact().agent("a1").build(), text);
    assert_eq!(rules(&before), ["BANK-ID-1"]);
    assert_eq!(before[0].points, 10);
    assert!(before[0].suggestion.as_deref().unwrap().contains("证件号码"));
    assert!(h().check(&contact().agent("a1").identified().build(), text).is_empty());
    assert!(h().check(&contact().build(), "请问您需要查询余额吗?").is_empty());
}

#[test]
fn identity_points_are_a_parameter() {
    let h = Harness::<Bank>::with_params(vec![("identity_breach_points", ParamValue::Integer(20))]).unwrap();
    assert_eq!(h.check(&contact().build(), "您的卡号是6222021234567890123")[0].points, 20);
}

#[test]
fn customers_are_not_checked() {
    let c = contact().build();
    assert!(h().plugin.check_utterance(&c, Speaker::Customer, "我的卡号是6222021234567890123").is_empty());
}

// ---- BANK-PRIV-1 -------------------------------------------------------

#[test]
fn privacy_breached_to_a_third_party_caller_even_when_identified() {
    let c = contact().identified().field("caller_relation", "家属").build();
    let v = h().check(&c, "您母亲的账户余额还有8000元");
    assert_eq!(rules(&v), ["BANK-PRIV-1"]);
    assert!(v[0].reason.contains("不是账户本人"));
    let self_caller = contact().identified().field("caller_relation", "本人").build();
    assert!(h().check(&self_caller, "您的账户余额还有8000元").is_empty());
}

#[test]
fn privacy_breached_by_passing_on_data_kept_by_refusing() {
    let c = contact().identified().build();
    assert_eq!(rules(&h().check(&c, "我把他的电话给你,你们自己联系吧")), ["BANK-PRIV-1"]);
    assert!(h().check(&c, "抱歉,我们不能透露他人的账户信息").is_empty());
}

#[test]
fn third_party_caller_gets_the_refusal_script() {
    let c = contact().field("caller_relation", "家属").build();
    let a = h().on(&c, Event::FieldSet(FieldSet { name: "caller_relation".into(), value: "家属".into() }), at(0));
    assert!(scripts(&a)[0].1.contains("只能告知账户本人"));
    let own = contact().field("caller_relation", "本人").build();
    assert!(
        h().on(&own, Event::FieldSet(FieldSet { name: "caller_relation".into(), value: "本人".into() }), at(0))
            .is_empty()
    );
}

// ---- conduct: promises, arguing, shared norms --------------------------

#[test]
fn conduct_rules_breached_and_kept() {
    let c = contact().identified().build();
    for (text, rule) in [
        ("这个理财产品稳赚不赔", "BANK-PROMISE-1"),
        ("这笔钱一定能追回", "BANK-PROMISE-1"),
        ("这是你自己操作失误", "BANK-ARGUE-1"),
        ("你再闹我就报警了", "BANK-ARGUE-1"),
        ("这不归我管,你去找别人吧", "BANK-FIRST-1"),
        ("你听不懂吗", "BANK-RUDE-1"),
        ("大概三天吧", "BANK-VAGUE-1"),
    ] {
        assert_eq!(rules(&h().check(&c, text)), [rule], "{text}");
    }
    for text in [
        "我们无法保证资金能够追回",
        "存入保证金后额度恢复",
        "建议您第一时间报警",
        "这个问题由我负责跟进",
        "预计3个工作日内答复您",
    ] {
        assert!(h().check(&c, text).is_empty(), "{text}");
    }
}

// ---- BANK-CMP-1 registration -------------------------------------------

#[test]
fn complaint_requires_registration_fields() {
    let a = h().on(&complaint().state(State::Waiting).build(), Event::Opened, at(0));
    let required: Vec<(String, Vec<String>)> = a
        .iter()
        .filter_map(|a| match a {
            Action::RequireFields(r) if r.rule == "BANK-CMP-1" => Some((r.before.clone(), r.fields.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(required.len(), 2);
    assert!(required.iter().all(|(_, f)| f == &["complaint_summary"]));
    let none = Harness::<Bank>::with_params(vec![("complaint_required_fields", ParamValue::Text("".into()))]).unwrap();
    let a = none.on(&complaint().build(), Event::Opened, at(0));
    assert!(!a.iter().any(|a| matches!(a, Action::RequireFields(_))));
}

// ---- BANK-CMP-2 acceptance ---------------------------------------------

#[test]
fn acceptance_deadline_kept_and_missed() {
    let a = h().on(&complaint().build(), Event::Opened, at(0));
    assert_eq!(deadline(&a, "complaint-accept").map(|d| d.clock), Some(Clock::Business));
    let c = complaint().deadline("complaint-accept", at(3600), DeadlineStatus::Pending).build();
    assert!(met(&h().on(&c, Event::CustomerNotified("a1".into()), at(60))).contains(&"complaint-accept"));
    let a = h().on(&c, passed("complaint-accept"), at(3600));
    assert_eq!(penalties(&a), [("BANK-CMP-2".to_string(), 3)]);
}

#[test]
fn consultations_set_no_complaint_deadlines() {
    let a = h().on(&contact().build(), Event::Opened, at(0));
    assert!(!has_deadline(&a, "complaint-accept"));
}

// ---- BANK-CMP-3 handling -----------------------------------------------

#[test]
fn handling_deadline_kept_and_missed() {
    let a = h().on(&complaint().build(), Event::Opened, at(0));
    assert_eq!(deadline(&a, "complaint-handle").map(|d| d.clock), Some(Clock::Business));
    let c = complaint().build();
    let reply =
        Event::DepartmentReplied(DepartmentReplied { from: "信用卡中心".into(), text: "已退还年费".into() });
    assert!(met(&h().on(&c, reply, at(60))).contains(&"complaint-handle"));
    let a = h().on(&c, passed("complaint-handle"), at(86_400));
    assert_eq!(penalties(&a), [("BANK-CMP-3".to_string(), 3)]);
    assert_eq!(escalations(&a), [("supervisor".to_string(), "客服值班主管".to_string())]);
}

#[test]
fn major_complaints_run_on_natural_time() {
    let a = h().on(&complaint().severity(Severity::Major).build(), Event::Opened, at(0));
    assert_eq!(deadline(&a, "complaint-handle").map(|d| d.clock), Some(Clock::Natural));
}

// ---- BANK-CMP-4 reply --------------------------------------------------

#[test]
fn reply_deadline_set_on_department_answer_kept_and_missed() {
    let c = complaint().build();
    let a = h().on(
        &c,
        Event::DepartmentReplied(DepartmentReplied { from: "网点".into(), text: "已为您补办".into() }),
        at(0),
    );
    assert_eq!(deadline(&a, "complaint-reply").map(|d| d.clock), Some(Clock::Business));
    let (scene, text) = &scripts(&a)[0];
    assert_eq!(scene, "complaint-reply");
    assert!(text.contains("已为您补办"));
    let resolved = Event::Resolved(Resolved { agent: "a1".into(), on_first_contact: false });
    assert!(met(&h().on(&c, resolved, at(60))).contains(&"complaint-reply"));
    assert_eq!(penalties(&h().on(&c, passed("complaint-reply"), at(7200))), [("BANK-CMP-4".to_string(), 3)]);
}

// ---- BANK-ESC-1 ladder -------------------------------------------------

#[test]
fn major_incident_goes_to_the_entry_rung_with_the_emergency_script() {
    let c = complaint().severity(Severity::Major).build();
    let a =
        h().on(&c, Event::Classified(Classified { category: "complaint".into(), severity: Severity::Major }), at(0));
    assert_eq!(escalations(&a), [("special-team".to_string(), "投诉处理专班".to_string())]);
    assert!(has_deadline(&a, "escalation-response"));
    assert!(scripts(&a).iter().any(|(s, t)| s == "emergency" && t.contains("投诉处理专班")));
    // Already at the entry rung: classifying again does not escalate again.
    let at_entry = complaint().severity(Severity::Major).memory("escalation-level", "2").build();
    let again = h().on(
        &at_entry,
        Event::Classified(Classified { category: "complaint".into(), severity: Severity::Major }),
        at(60),
    );
    assert!(escalations(&again).is_empty());
}

#[test]
fn normal_classification_does_not_escalate() {
    let c = complaint().build();
    let a =
        h().on(&c, Event::Classified(Classified { category: "complaint".into(), severity: Severity::Normal }), at(0));
    assert!(escalations(&a).is_empty());
}

#[test]
fn the_ladder_climbs_one_rung_at_a_time_and_stops_at_the_top() {
    let req =
        || Event::EscalationRequested(EscalationRequested { agent: "a1".into(), reason: "需要减免审批".into() });
    let a = h().on(&complaint().build(), req(), at(0));
    assert_eq!(escalations(&a)[0].0, "supervisor");
    let a = h().on(&complaint().memory("escalation-level", "1").build(), passed("escalation-response"), at(7200));
    assert_eq!(escalations(&a)[0].0, "special-team");
    let top = complaint().memory("escalation-level", "3").build();
    let a = h().on(&top, req(), at(0));
    assert!(escalations(&a).is_empty());
    assert!(a.iter().any(|a| matches!(a, Action::Notify(n) if n.to == "分行应急领导小组")));
}

#[test]
fn an_answer_meets_the_escalation_deadline() {
    let c = complaint().memory("escalation-level", "1").build();
    let a =
        h().on(&c, Event::DepartmentReplied(DepartmentReplied { from: "主管".into(), text: "同意减免".into() }), at(0));
    assert!(met(&a).contains(&"escalation-response"));
}

#[test]
fn the_ladder_is_a_parameter() {
    let h = Harness::<Bank>::with_params(vec![
        ("escalation_ladder", ParamValue::Text("team-lead:组长 > director:客服总监".into())),
        ("major_entry_level", ParamValue::Integer(1)),
    ])
    .unwrap();
    let a = h.on(&contact().category("fraud").build(), Event::Opened, at(0));
    assert_eq!(escalations(&a), [("team-lead".to_string(), "组长".to_string())]);
}

// ---- BANK-SURVEY-1 / BANK-SAT-1 ----------------------------------------

#[test]
fn survey_follows_a_resolved_complaint_and_is_penalised_when_late() {
    let resolved = || Event::Resolved(Resolved { agent: "a1".into(), on_first_contact: true });
    let a = h().on(&complaint().build(), resolved(), at(0));
    assert!(a.iter().any(|a| matches!(a, Action::ScheduleCallback(c) if c.id == "survey")));
    assert_eq!(deadline(&a, "survey").map(|d| d.clock), Some(Clock::Business));
    let a = h().on(&contact().agent("a1").build(), resolved(), at(0));
    assert!(!has_deadline(&a, "survey"), "consultations are not surveyed by default");
    assert_eq!(penalties(&h().on(&complaint().build(), passed("survey"), at(0))), [("BANK-SURVEY-1".to_string(), 2)]);
}

fn attempted(outcome: &str) -> Event {
    Event::CallbackAttempted(CallbackAttempted {
        agent: "a1".into(),
        outcome: outcome.into(),
        callback: "survey".into(),
    })
}

#[test]
fn satisfied_survey_meets_the_deadline_and_rewards() {
    let c = complaint().callback("survey", at(7200), "满意度回访").build();
    let a = h().on(&c, attempted("satisfied"), at(7300));
    assert!(met(&a).contains(&"survey"));
    assert_eq!(rewards(&a), [("a1".to_string(), "BANK-SAT-1".to_string(), 2)]);
}

#[test]
fn unsatisfied_survey_escalates() {
    let c = complaint().callback("survey", at(7200), "满意度回访").build();
    let a = h().on(&c, attempted("unsatisfied"), at(7300));
    assert!(met(&a).contains(&"survey"));
    assert_eq!(escalations(&a)[0].0, "supervisor");
    assert!(rewards(&a).is_empty());
}

#[test]
fn unanswered_survey_is_retried_then_given_up() {
    let mut c = complaint().callback("survey", at(7200), "满意度回访").build();
    c.callbacks[0].attempts = 1;
    let a = h().on(&c, attempted("no_answer"), at(7300));
    assert!(a.iter().any(|a| matches!(a, Action::ScheduleCallback(cb) if cb.id == "survey-2")));
    c.callbacks[0].attempts = 3;
    let a = h().on(&c, attempted("no_answer"), at(7300));
    assert!(a.iter().any(|a| matches!(a, Action::CancelDeadline(n) if n == "survey")));
    assert!(a.iter().any(|a| matches!(a, Action::Notify(_))));
}

#[test]
fn the_survey_call_opens_with_its_script() {
    let c = complaint().field("gender", "女").customer_name("李梅").build();
    let cb = CallbackInfo {
        id: "survey".into(),
        due: at(0),
        purpose: "满意度回访".into(),
        attempts: 0,
        status: CallbackStatus::Pending,
        last_outcome: None,
    };
    let a = h().on(&c, Event::CallbackDue(cb), at(0));
    assert!(scripts(&a)[0].1.starts_with("李女士您好"));
}

// ---- scripts, manifest, configuration ----------------------------------

#[test]
fn every_scene_renders_and_fills_the_customer_title() {
    let c = complaint().field("gender", "男").identified().build();
    for scene in SCENES {
        let text = h().script(scene, &c).unwrap_or_else(|| panic!("{scene}"));
        assert!(!text.contains("{称呼}") && !text.contains("{银行名称}"), "{scene}: {text}");
    }
    assert!(h().script("closing", &c).unwrap().starts_with("王先生,请问还有其他需求吗?"));
    assert!(h().script("complaint-acceptance", &c).unwrap().contains("1个工作日"));
    // Before 服务确权 the greeting does not tell the caller whose account this is.
    assert!(!h().script("greeting", &c).unwrap().contains("王"));
    assert!(h().script("no-such-scene", &c).is_none());
}

#[test]
fn answering_shows_the_greeting_and_the_identity_check() {
    let a = h().on(&complaint().build(), Event::Answered(Answered { agent: "a1".into(), rings: Some(2) }), at(5));
    let scenes: Vec<String> = scripts(&a).into_iter().map(|(s, _)| s).collect();
    assert_eq!(scenes, ["greeting", "identity-check", "apology", "complaint-acceptance"]);
    assert!(scripts(&a)[0].1.contains("工号a1"));
}

#[test]
fn manifest_lists_every_rule_used_and_describes_every_parameter() {
    let m = <Bank as Plugin>::manifest();
    let ids: Vec<&str> = m.rules.iter().map(|r| r.id.as_str()).collect();
    for id in [
        "BANK-ID-1",
        "BANK-PRIV-1",
        "BANK-PROMISE-1",
        "BANK-ARGUE-1",
        "BANK-CMP-1",
        "BANK-CMP-2",
        "BANK-CMP-3",
        "BANK-CMP-4",
        "BANK-ESC-1",
        "BANK-SURVEY-1",
        "BANK-SAT-1",
        "BANK-FIRST-1",
        "BANK-RUDE-1",
        "BANK-VAGUE-1",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
    assert!(m.params.iter().all(|p| p.description.chars().count() > 8));
    assert_eq!(m.id, "bank");
    assert!(m.categories.contains(&"complaint".to_string()) && m.event_types == ["incident_reported"]);
}

#[test]
fn bad_parameters_name_their_key() {
    let err = |params| Harness::<Bank>::with_params(params).err().unwrap();
    assert!(err(vec![("escalation_ladder", ParamValue::Text("主管".into()))]).contains("escalation_ladder"));
    assert!(err(vec![("major_entry_level", ParamValue::Integer(9))]).contains("major_entry_level"));
    assert!(
        err(vec![("complaint_accept_within", ParamValue::Duration(Span::seconds(0)))])
            .contains("complaint_accept_within")
    );
    assert!(err(vec![("survey_max_attempts", ParamValue::Integer(0))]).contains("survey_max_attempts"));
    assert!(err(vec![("promise_points", ParamValue::Integer(-1))]).contains("promise_points"));
}
