//! Every rule of the e-commerce SOP, kept and breached, through the native
//! harness. Contacts are snapshots as the host would pass them *after* the
//! event was applied.

use sopline_plugin_ecommerce::Ecommerce;
use sopline_sdk::testing::{
    ContactBuilder, Harness, at, callbacks, contact, deadline, escalations, has_deadline, met, penalties, scripts,
    violations,
};
use sopline_sdk::*;

fn h() -> Harness<Ecommerce> {
    Harness::new()
}

fn chat() -> ContactBuilder {
    contact().channel(Channel::Chat).customer_name("李娜").field("gender", "女")
}

fn msg(from: Speaker, text: &str) -> Event {
    Event::Message(Message { from, agent: (from == Speaker::Agent).then(|| "a1".to_string()), text: text.into() })
}

fn passed(name: &str) -> Event {
    Event::DeadlinePassed(DeadlinePassed { name: name.into(), due: at(0) })
}

// ---- manifest and configuration ----

#[test]
fn manifest_lists_rules_scenes_events_and_described_params() {
    let m = <Ecommerce as Plugin>::manifest();
    assert_eq!(m.id, "ecommerce");
    for id in [
        "EC-T1", "EC-T2", "EC-T3", "EC-T4", "EC-T5", "EC-T6", "EC-T7", "EC-T8", "EC-R1", "EC-C1", "EC-C2", "EC-F1",
        "EC-P1", "EC-V1", "EC-A1", "EC-A2",
    ] {
        assert!(m.rules.iter().any(|r| r.id == id), "{id}");
    }
    for c in ["pre_sales", "after_sales", "complaint", "consultation"] {
        assert!(m.categories.iter().any(|x| x == c), "{c}");
    }
    assert!(m.event_types.iter().any(|e| e == "buyer_blocked"));
    assert!(m.params.iter().all(|p| p.description.chars().count() > 8), "every parameter is described");
    let h = h();
    for scene in &m.scenes {
        assert!(h.script(scene, &chat().build()).is_some(), "scene {scene} has a script");
    }
}

#[test]
fn configure_names_the_bad_key() {
    let err =
        Harness::<Ecommerce>::with_params(vec![("first_response_within", ParamValue::Duration(Span::seconds(0)))])
            .err()
            .unwrap();
    assert!(err.contains("first_response_within"), "{err}");
    let err = Harness::<Ecommerce>::with_params(vec![("insult_points", ParamValue::Integer(-1))]).err().unwrap();
    assert!(err.contains("insult_points"), "{err}");
    let err = Harness::<Ecommerce>::with_params(vec![("special_team", ParamValue::Text(" ".into()))]).err().unwrap();
    assert!(err.contains("special_team"), "{err}");
}

// ---- scripts ----

#[test]
fn scripts_fill_the_customers_title_and_shop() {
    let h = Harness::<Ecommerce>::with_params(vec![("shop_name", ParamValue::Text("小米旗舰店".into()))]).unwrap();
    let c = chat().field("order_id", "E20260302001").build();
    assert_eq!(h.script("greeting", &c).unwrap(), "李女士,您好,很高兴为您服务,请问有什么可以帮您?");
    assert!(h.script("closing", &c).unwrap().contains("请问还有其他需求吗"));
    assert!(h.script("urge-payment", &c).unwrap().contains("小米旗舰店拍下的订单E20260302001"));
    assert!(h.script("special-team", &c).unwrap().contains("24小时内给您解决方案"));
    assert!(h.script("no-such-scene", &c).is_none());
}

#[test]
fn the_plugins_own_scripts_break_no_rule() {
    let h = h();
    let c = chat().field("order_id", "E1").field("order_status", "已发货").build();
    for scene in <Ecommerce as Plugin>::manifest().scenes {
        let text = h.script(&scene, &c).unwrap();
        assert!(h.check(&c, &text).is_empty(), "{scene}: {text} -> {:?}", h.check(&c, &text));
    }
}

// ---- EC-T1..T8 via check-utterance (rates are in utterances.rs) ----

#[test]
fn taboo_violations_carry_points_excerpt_and_suggestion() {
    let h = h();
    let c = chat().build();
    let v = &h.check(&c, "这是你活该")[0];
    assert_eq!((v.rule.as_str(), v.excerpt.as_str(), v.points), ("EC-T1", "你活该", 10));
    assert!(v.suggestion.is_some());
    let v = &h.check(&c, "大概3天到")[0];
    assert_eq!(v.rule, "EC-V1");
    assert_eq!(v.suggestion.as_deref(), Some("改为“预计3个工作日送达”"));
    let custom = Harness::<Ecommerce>::with_params(vec![("arguing_points", ParamValue::Integer(7))]).unwrap();
    assert_eq!(custom.check(&c, "呵呵了")[0].points, 7);
    assert!(h.check(&c, "您应该在订单页面点确认收货").is_empty());
}

#[test]
fn t2_blocking_event_is_a_violation() {
    let c = chat().agent("a1").build();
    let e = Event::Custom(CustomEvent {
        kind: "buyer_blocked".into(),
        agent: Some("a2".into()),
        fields: vec![("tool".into(), "千牛黑名单".into())],
    });
    assert_eq!(violations(&h().on(&c, e, at(10))), vec![("a2".to_string(), "EC-T2".to_string(), 10)]);
}

// ---- EC-T3 请稍等 ----

#[test]
fn t3_hold_is_set_by_please_wait_and_met_by_the_next_reply() {
    let h = h();
    let c = chat().state(State::InProgress).agent("a1").build();
    let a = h.on(&c, msg(Speaker::Agent, "请稍等,我帮您查一下"), at(60));
    assert_eq!(deadline(&a, "hold-reply").map(|d| d.after), Some(Span::minutes(2)));
    let c =
        chat().state(State::InProgress).agent("a1").deadline("hold-reply", at(180), DeadlineStatus::Pending).build();
    let a = h.on(&c, msg(Speaker::Customer, "好的"), at(70));
    assert!(!met(&a).contains(&"hold-reply"), "the buyer's message does not count");
    let a = h.on(&c, msg(Speaker::Agent, "查到了,您的包裹在派送中"), at(90));
    assert!(met(&a).contains(&"hold-reply"));
    assert!(!has_deadline(&a, "hold-reply"));
}

#[test]
fn t3_hold_missed_or_closed_is_a_violation() {
    let h = h();
    let c = chat()
        .agent("a1")
        .memory("hold_message", "请稍等哈")
        .deadline("hold-reply", at(180), DeadlineStatus::Missed)
        .build();
    let a = h.on(&c, passed("hold-reply"), at(180));
    assert_eq!(violations(&a), vec![("a1".to_string(), "EC-T3".to_string(), 3)]);
    let c = chat().agent("a1").deadline("hold-reply", at(180), DeadlineStatus::Pending).build();
    let a = h.on(&c, Event::Closed("a1".into()), at(100));
    assert!(a.contains(&Action::CancelDeadline("hold-reply".into())));
    assert_eq!(violations(&a)[0].1, "EC-T3");
}

// ---- EC-R1 first response ----

#[test]
fn r1_first_response_deadline_in_chat_only() {
    let h = h();
    let a = h.on(&chat().build(), Event::Opened, at(0));
    assert_eq!(deadline(&a, "first-response").map(|d| (d.after, d.clock)), Some((Span::seconds(30), Clock::Natural)));
    assert!(!has_deadline(&h.on(&contact().channel(Channel::Phone).build(), Event::Opened, at(0)), "first-response"));
}

#[test]
fn r1_kept_by_the_first_agent_message() {
    let c =
        chat().state(State::InProgress).agent("a1").deadline("first-response", at(30), DeadlineStatus::Pending).build();
    let a = h().on(&c, msg(Speaker::Agent, "您好,请问有什么可以帮您?"), at(12));
    assert!(met(&a).contains(&"first-response"));
    assert!(penalties(&a).is_empty());
}

#[test]
fn r1_missed_penalises_the_owner_or_escalates_when_nobody_took_it() {
    let h = h();
    let c = chat().agent("a1").deadline("first-response", at(30), DeadlineStatus::Missed).build();
    assert_eq!(penalties(&h.on(&c, passed("first-response"), at(30))), vec![("EC-R1".to_string(), 2)]);
    let c = chat().deadline("first-response", at(30), DeadlineStatus::Missed).build();
    let a = h.on(&c, passed("first-response"), at(30));
    assert!(penalties(&a).is_empty());
    assert_eq!(escalations(&a), vec![("supervisor".to_string(), "supervisor".to_string())]);
}

#[test]
fn r1_can_start_at_the_first_customer_message() {
    let h = Harness::<Ecommerce>::with_params(vec![("first_response_from_customer_message", ParamValue::Flag(true))])
        .unwrap();
    assert!(!has_deadline(&h.on(&chat().build(), Event::Opened, at(0)), "first-response"));
    let a = h.on(&chat().build(), msg(Speaker::Customer, "在吗"), at(5));
    assert!(has_deadline(&a, "first-response"));
}

// ---- EC-R2 answer every question ----

#[test]
fn r2_a_question_needs_an_answer() {
    let h = h();
    let c = chat().state(State::InProgress).agent("a1").deadline("first-response", at(30), DeadlineStatus::Met).build();
    let a = h.on(&c, msg(Speaker::Customer, "这款有黑色吗?"), at(100));
    assert_eq!(deadline(&a, "answer-question").map(|d| d.after), Some(Span::minutes(3)));
    assert!(!has_deadline(&h.on(&c, msg(Speaker::Customer, "好的谢谢"), at(100)), "answer-question"));
    let c = chat().agent("a1").deadline("answer-question", at(280), DeadlineStatus::Pending).build();
    assert!(met(&h.on(&c, msg(Speaker::Agent, "有的,黑色有现货"), at(150))).contains(&"answer-question"));
    let c = chat().agent("a1").deadline("answer-question", at(280), DeadlineStatus::Missed).build();
    assert_eq!(penalties(&h.on(&c, passed("answer-question"), at(280))), vec![("EC-R2".to_string(), 1)]);
}

#[test]
fn an_angry_buyer_gets_the_calming_script() {
    let a = h().on(
        &chat().state(State::InProgress).agent("a1").build(),
        msg(Speaker::Customer, "你们就是骗子,我要差评"),
        at(5),
    );
    assert!(scripts(&a).iter().any(|(s, t)| s == "calm-buyer" && t.starts_with("李女士")));
}

// ---- EC-P1 urging unpaid orders ----

#[test]
fn p1_unpaid_order_is_urged_and_payment_cancels_it() {
    let h = h();
    let c = chat().category("pre_sales").agent("a1").build();
    let a = h.on(&c, Event::FieldSet(FieldSet { name: "order_status".into(), value: "unpaid".into() }), at(0));
    assert_eq!(callbacks(&a).iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["urge-payment"]);
    assert!(scripts(&a).iter().any(|(s, _)| s == "urge-payment"));
    let c = chat().category("pre_sales").agent("a1").callback("urge-payment", at(1800), "催付").build();
    let paid = Event::Custom(CustomEvent { kind: "order_paid".into(), agent: None, fields: vec![] });
    assert!(h.on(&c, paid, at(600)).iter().any(|a| matches!(a, Action::CancelCallback(id) if id == "urge-payment")));
    let due = Event::CallbackDue(c.callbacks[0].clone());
    assert_eq!(penalties(&h.on(&c, due, at(1800))), vec![("EC-P1".to_string(), 1)]);
}

// ---- EC-A1 / EC-A2 after-sales ----

#[test]
fn a1_after_sales_requires_order_status_and_problem_type_before_resolving() {
    let a = h().on(&chat().category("after_sales").build(), Event::Opened, at(0));
    let req = a.iter().find_map(|a| match a {
        Action::RequireFields(r) => Some(r.clone()),
        _ => None,
    });
    let req = req.expect("fields required");
    assert_eq!((req.before.as_str(), req.rule.as_str()), ("resolved", "EC-A1"));
    assert_eq!(req.fields, ["order_id", "order_status", "problem_type"]);
    let none =
        Harness::<Ecommerce>::with_params(vec![("after_sales_required_fields", ParamValue::Text("".into()))]).unwrap();
    assert!(
        !none
            .on(&chat().category("after_sales").build(), Event::Opened, at(0))
            .iter()
            .any(|a| matches!(a, Action::RequireFields(_)))
    );
}

#[test]
fn a2_refund_above_the_paid_amount_is_flagged_exactly() {
    let h = h();
    let set = |v: &str| Event::FieldSet(FieldSet { name: "refund_amount".into(), value: v.into() });
    let c = chat()
        .category("after_sales")
        .agent("a1")
        .field("paid_amount", "59.90")
        .field("refund_amount", "59.90")
        .build();
    let a = h.on(&c, set("59.90"), at(0));
    assert!(violations(&a).is_empty(), "equal is fine");
    assert!(scripts(&a).iter().any(|(s, t)| s == "verify-amount" && t.contains("实付59.90元")));
    let c = chat()
        .category("after_sales")
        .agent("a1")
        .field("paid_amount", "59.90")
        .field("refund_amount", "59.91")
        .build();
    assert_eq!(violations(&h.on(&c, set("59.91"), at(0))), vec![("a1".to_string(), "EC-A2".to_string(), 2)]);
}

// ---- EC-C1 / EC-C2 complaints ----

#[test]
fn c1_normal_complaint_front_line_deadline_kept_on_resolution() {
    let h = h();
    let a = h.on(&chat().category("complaint").build(), Event::Opened, at(0));
    assert_eq!(
        deadline(&a, "complaint-front-line").map(|d| (d.after, d.clock)),
        Some((Span::hours(1), Clock::Natural))
    );
    let c = chat()
        .category("complaint")
        .agent("a1")
        .deadline("complaint-front-line", at(3600), DeadlineStatus::Pending)
        .build();
    let a = h.on(&c, Event::Resolved(Resolved { agent: "a1".into(), on_first_contact: true }), at(1800));
    assert!(met(&a).contains(&"complaint-front-line"));
}

#[test]
fn c1_missed_penalises_and_goes_to_the_supervisor() {
    let c = chat()
        .category("complaint")
        .agent("a1")
        .deadline("complaint-front-line", at(3600), DeadlineStatus::Missed)
        .build();
    let a = h().on(&c, passed("complaint-front-line"), at(3600));
    assert_eq!(penalties(&a), vec![("EC-C1".to_string(), 3)]);
    assert_eq!(escalations(&a)[0].0, "supervisor");
}

#[test]
fn c1_business_time_when_configured() {
    let h = Harness::<Ecommerce>::with_params(vec![("complaint_business_time", ParamValue::Flag(true))]).unwrap();
    let a = h.on(&chat().category("complaint").build(), Event::Opened, at(0));
    assert_eq!(deadline(&a, "complaint-front-line").unwrap().clock, Clock::Business);
}

#[test]
fn c2_major_complaint_goes_to_the_special_team_with_24h() {
    let c = chat()
        .category("complaint")
        .severity(Severity::Major)
        .agent("a1")
        .deadline("complaint-front-line", at(3600), DeadlineStatus::Pending)
        .build();
    let a =
        h().on(&c, Event::Classified(Classified { category: "complaint".into(), severity: Severity::Major }), at(600));
    assert!(a.contains(&Action::CancelDeadline("complaint-front-line".into())));
    assert_eq!(escalations(&a), vec![("special-team".to_string(), "complaint-special-team".to_string())]);
    assert_eq!(deadline(&a, "special-team-solution").map(|d| d.after), Some(Span::hours(24)));
    assert!(a.iter().any(|x| matches!(x, Action::Notify(n) if n.to == "complaint-special-team")));
}

#[test]
fn c2_kept_when_the_team_replies_and_escalated_to_the_manager_when_missed() {
    let h = h();
    let c = chat()
        .category("complaint")
        .severity(Severity::Major)
        .agent("a1")
        .deadline("special-team-solution", at(86400), DeadlineStatus::Pending)
        .build();
    let reply = Event::DepartmentReplied(DepartmentReplied {
        from: "complaint-special-team".into(),
        text: "全额退款并补发".into(),
    });
    let a = h.on(&c, reply, at(7200));
    assert!(met(&a).contains(&"special-team-solution"));
    assert!(scripts(&a).iter().any(|(s, _)| s == "complaint-solution"));
    let c = chat()
        .category("complaint")
        .severity(Severity::Major)
        .agent("a1")
        .deadline("special-team-solution", at(86400), DeadlineStatus::Missed)
        .build();
    let a = h.on(&c, passed("special-team-solution"), at(86400));
    assert_eq!(escalations(&a), vec![("manager".to_string(), "service-manager".to_string())]);
}

#[test]
fn c2_front_line_asking_for_escalation_goes_to_the_special_team() {
    let c = chat()
        .category("complaint")
        .agent("a1")
        .deadline("complaint-front-line", at(3600), DeadlineStatus::Pending)
        .build();
    let e = Event::EscalationRequested(EscalationRequested { agent: "a1".into(), reason: "需要厂家鉴定".into() });
    let a = h().on(&c, e, at(600));
    assert!(a.contains(&Action::CancelDeadline("complaint-front-line".into())));
    assert_eq!(escalations(&a)[0].0, "special-team");
}

// ---- EC-F1 / EC-F2 satisfaction callback ----

#[test]
fn f1_resolution_schedules_the_satisfaction_callback_within_24h() {
    let a = h().on(
        &chat().agent("a1").build(),
        Event::Resolved(Resolved { agent: "a1".into(), on_first_contact: true }),
        at(0),
    );
    let cb = a.iter().find_map(|a| match a {
        Action::ScheduleCallback(c) => Some(c.clone()),
        _ => None,
    });
    let cb = cb.unwrap();
    assert_eq!(cb.id, "satisfaction");
    assert_eq!(cb.due, CallbackDue::After(Span::hours(24)));
    assert!(scripts(&a).iter().any(|(s, _)| s == "closing"));
}

#[test]
fn f1_late_callback_penalised_f2_satisfied_rewarded_unsatisfied_reported() {
    let h = h();
    let c = chat().agent("a1").callback("satisfaction", at(86400), "回访").build();
    assert_eq!(
        penalties(&h.on(&c, Event::CallbackDue(c.callbacks[0].clone()), at(86400))),
        vec![("EC-F1".to_string(), 2)]
    );
    let attempt = |outcome: &str| {
        Event::CallbackAttempted(CallbackAttempted {
            agent: "a1".into(),
            outcome: outcome.into(),
            callback: "satisfaction".into(),
        })
    };
    let a = h.on(&c, attempt("satisfied"), at(3600));
    assert!(a.iter().any(|x| matches!(x, Action::Reward(p) if p.rule == "EC-F2" && p.points == 1)));
    assert!(penalties(&a).is_empty());
    let a = h.on(&c, attempt("unsatisfied"), at(3600));
    assert_eq!(escalations(&a)[0].0, "supervisor");
    assert!(scripts(&a).iter().any(|(s, _)| s == "callback-unsatisfied"));
}

#[test]
fn f1_unnamed_attempt_is_matched_to_the_callback_it_updated() {
    let c = chat()
        .agent("a1")
        .callback("satisfaction", at(86400), "回访")
        .callback_attempted("satisfaction", 1, Some("satisfied"), CallbackStatus::Done)
        .build();
    let e = Event::CallbackAttempted(CallbackAttempted {
        agent: "a1".into(),
        outcome: "satisfied".into(),
        callback: String::new(),
    });
    assert!(h().on(&c, e, at(3600)).iter().any(|x| matches!(x, Action::Reward(_))));
}
