//! Every on-event rule of the GPS plugin, kept and breached, through the
//! native harness.

use sopline_plugin_gps::Gps;
use sopline_sdk::testing::*;
use sopline_sdk::*;

fn gps() -> Harness<Gps> {
    Harness::new()
}

fn custom(kind: &str, agent: &str) -> Event {
    Event::Custom(CustomEvent { kind: kind.into(), agent: Some(agent.into()), fields: Vec::new() })
}

fn remembered(actions: &[Action], key: &str) -> Option<String> {
    actions.iter().find_map(|a| match a {
        Action::Remember((k, v)) if k == key => Some(v.clone()),
        _ => None,
    })
}

fn passed(name: &str) -> Event {
    Event::DeadlinePassed(DeadlinePassed { name: name.into(), due: 0 })
}

// ---- manifest and configuration -------------------------------------------

#[test]
fn manifest_names_rules_events_scenes_and_described_params() {
    let m = <Gps as Plugin>::manifest();
    assert_eq!(m.id, "gps");
    assert_eq!(m.wit_version, WIT_VERSION);
    assert!(m.rules.iter().all(|r| r.id.starts_with("GPS-") && !r.description.is_empty()));
    assert!(m.params.iter().all(|p| !p.description.is_empty()));
    for kind in [
        "dispatched",
        "remote_session",
        "onsite_visit",
        "installed",
        "delivered",
        "major_fault_reported",
        "fault_report_sent",
    ] {
        assert!(m.event_types.iter().any(|e| e == kind), "{kind}");
    }
    for category in ["installation", "repair", "after_sales", "consultation"] {
        assert!(m.categories.iter().any(|c| c == category), "{category}");
    }
    // Every rule with penalties has its points as a parameter.
    for points in m.params.iter().filter(|p| p.name.ends_with("_points")) {
        assert_eq!(points.kind, ParamKind::Integer, "{}", points.name);
    }
    assert!(m.params.iter().filter(|p| p.name.ends_with("_points")).count() >= 16);
}

#[test]
fn bad_parameters_are_refused_with_their_key() {
    for (key, value) in [
        ("utc_offset_minutes", ParamValue::Integer(900)),
        ("visit_time", ParamValue::Text("25:00".into())),
        ("monthly_visit_months", ParamValue::Integer(0)),
        ("december_call_day", ParamValue::Integer(32)),
        ("visit_max_attempts", ParamValue::Integer(0)),
        ("manager", ParamValue::Text(" ".into())),
        ("approval_points", ParamValue::Integer(-1)),
    ] {
        let err = Harness::<Gps>::with_params(vec![(key, value)]).err().expect(key);
        assert!(err.contains(key), "{err}");
    }
    assert!(Harness::<Gps>::with_params(vec![("utc_offset_minutes", ParamValue::Integer(-300))]).is_ok());
}

// ---- GPS-INSTALL-ORDER / GPS-REPAIR-ORDER / GPS-SWAP-RECORD / GPS-SIM-RECORD

#[test]
fn an_installation_needs_plates_vehicle_list_and_driver_data_before_approval_and_dispatch() {
    let c = contact().category("installation").build();
    let reqs = requirements(&gps().on(&c, Event::Opened, at(0)));
    let install = ["plate_number", "vehicle_list", "driver_info"].map(String::from).to_vec();
    assert!(reqs.contains(&("approved".into(), install.clone(), "GPS-INSTALL-ORDER".into())));
    assert!(reqs.contains(&("dispatched".into(), install, "GPS-INSTALL-ORDER".into())));
}

#[test]
fn a_repair_order_needs_the_repair_form_and_the_name_when_missing() {
    let c = contact().category("repair").build();
    let reqs = requirements(&gps().on(&c, Event::Opened, at(0)));
    let repair = ["address", "contact_phone", "model", "purchase_date", "fault"].map(String::from).to_vec();
    assert!(reqs.contains(&("dispatched".into(), repair.clone(), "GPS-REPAIR-ORDER".into())));
    let nameless = contact().category("repair").customer_name("").build();
    let reqs = requirements(&gps().on(&nameless, Event::Opened, at(0)));
    let (_, fields, _) = reqs.iter().find(|(b, _, _)| b == "dispatched").unwrap();
    assert_eq!(fields[0], "customer_name");
}

#[test]
fn swaps_record_plate_fault_terminals_and_sims() {
    let reqs = requirements(&gps().on(&contact().category("consultation").build(), Event::Opened, at(0)));
    let swap = ["plate_number", "fault", "old_terminal_no", "new_terminal_no"].map(String::from).to_vec();
    assert!(reqs.contains(&("terminal_swapped".into(), swap, "GPS-SWAP-RECORD".into())));
    let sim = ["old_sim_no", "new_sim_no"].map(String::from).to_vec();
    assert!(reqs.contains(&("sim_swapped".into(), sim, "GPS-SIM-RECORD".into())));
    // A consultation sends nobody: no order requirements.
    assert!(!reqs.iter().any(|(b, _, _)| b == "dispatched"));
}

#[test]
fn reclassifying_to_installation_adds_its_requirements() {
    let c = contact().category("installation").state(State::InProgress).agent("a1").build();
    let actions = gps().on(
        &c,
        Event::Classified(Classified { category: "installation".into(), severity: Severity::Normal }),
        at(5),
    );
    assert!(requirements(&actions).iter().any(|(b, _, r)| b == "approved" && r == "GPS-INSTALL-ORDER"));
    assert_eq!(scripts(&actions)[0].0, "install_intake");
}

#[test]
fn a_complete_order_is_sent_to_the_manager_for_approval_once() {
    let field = |name: &str, value: &str| Event::FieldSet(FieldSet { name: name.into(), value: value.into() });
    let partial =
        contact().category("installation").field("plate_number", "粤B12345").field("vehicle_list", "3辆").build();
    assert!(notices(&gps().on(&partial, field("vehicle_list", "3辆"), at(1))).is_empty());
    let complete = contact()
        .category("installation")
        .field("plate_number", "粤B12345")
        .field("vehicle_list", "3辆")
        .field("driver_info", "张师傅 13900000000")
        .build();
    let actions = gps().on(&complete, field("driver_info", "张师傅"), at(2));
    let sent = notices(&actions);
    assert_eq!(sent[0].0, "gps-manager");
    assert!(sent[0].1.contains("《安装任务派工单》"));
    assert_eq!(remembered(&actions, "order_submitted").as_deref(), Some("yes"));
    let again = contact()
        .category("installation")
        .field("plate_number", "x")
        .field("vehicle_list", "x")
        .field("driver_info", "x");
    assert!(notices(&gps().on(&again.memory("order_submitted", "yes").build(), field("x", "y"), at(3))).is_empty());
}

// ---- GPS-APPROVAL / GPS-DISPATCH ------------------------------------------

#[test]
fn approval_starts_the_dispatch_clock_and_a_dispatch_after_it_is_kept() {
    let c = contact().category("repair").agent("a1").state(State::Pending).build();
    let actions = gps().on(&c, Event::Approved(Approved { by: "mgr-li".into(), what: "维修服务单".into() }), at(10));
    let d = deadline(&actions, "dispatch").expect("dispatch deadline");
    assert_eq!((d.after, d.clock), (Span::days(1), Clock::Business));
    assert_eq!(remembered(&actions, "approved_by").as_deref(), Some("mgr-li"));
    assert!(scripts(&actions).iter().any(|(s, t)| s == "dispatch_confirmed" && t.contains("《维修服务单》")));

    let approved =
        contact().category("repair").agent("a1").memory("approved_by", "mgr-li").memory("ladder", "remote").build();
    let actions = gps().on(&approved, custom("dispatched", "a1"), at(20));
    assert!(violations(&actions).is_empty());
    assert!(met(&actions).contains(&"dispatch"));
}

#[test]
fn a_dispatch_before_approval_is_a_breach_reported_to_the_manager() {
    let c = contact().category("installation").agent("a1").build();
    let actions = gps().on(&c, custom("dispatched", "a2"), at(20));
    assert_eq!(violations(&actions), [("a2".to_string(), "GPS-APPROVAL".to_string(), 5)]);
    assert_eq!(notices(&actions)[0].0, "gps-manager");
    // Without an agent on the event, the owner answers for it.
    let anonymous = Event::Custom(CustomEvent { kind: "dispatched".into(), agent: None, fields: Vec::new() });
    assert_eq!(violations(&gps().on(&c, anonymous, at(20)))[0].0, "a1");
}

#[test]
fn approval_points_are_a_parameter() {
    let h = Harness::<Gps>::with_params(vec![("approval_points", ParamValue::Integer(9))]).unwrap();
    let c = contact().category("installation").agent("a1").build();
    assert_eq!(violations(&h.on(&c, custom("dispatched", "a1"), at(0)))[0].2, 9);
}

#[test]
fn a_late_dispatch_is_penalized_and_escalated() {
    let c = contact().category("repair").agent("a1").memory("approved_by", "mgr").build();
    let actions = gps().on(&c, passed("dispatch"), at(100));
    assert_eq!(penalties(&actions), [("GPS-DISPATCH".to_string(), 3)]);
    assert_eq!(escalations(&actions), [("manager".to_string(), "gps-manager".to_string())]);
}

// ---- ladder: GPS-REMOTE-CONSENT / GPS-LADDER --------------------------------

fn escalation() -> Event {
    Event::EscalationRequested(EscalationRequested { agent: "a1".into(), reason: "热线无法排除".into() })
}

#[test]
fn the_ladder_climbs_hotline_remote_onsite_manager() {
    let base = || contact().category("repair").agent("a1").state(State::InProgress);
    let actions = gps().on(&base().build(), escalation(), at(1));
    assert_eq!(escalations(&actions), [("remote".to_string(), "remote-support".to_string())]);
    assert_eq!(remembered(&actions, "ladder").as_deref(), Some("remote"));
    let consent = scripts(&actions).into_iter().find(|(s, _)| s == "remote_consent").expect("consent script");
    assert!(consent.1.contains("在您授权的前提下"));

    let actions = gps().on(&base().memory("ladder", "remote").build(), escalation(), at(2));
    assert_eq!(escalations(&actions), [("on-site".to_string(), "field-technicians".to_string())]);
    assert!(notices(&actions)[0].1.contains("待审批"));

    let actions = gps().on(&base().memory("ladder", "onsite").build(), escalation(), at(3));
    assert_eq!(escalations(&actions), [("manager".to_string(), "gps-manager".to_string())]);
}

#[test]
fn a_refused_remote_session_goes_straight_on_site() {
    let c = contact().category("repair").agent("a1").field("remote_consent", "不同意").build();
    let actions = gps().on(&c, escalation(), at(1));
    assert_eq!(escalations(&actions)[0].0, "on-site");
}

#[test]
fn a_remote_session_needs_the_customers_yes() {
    let reqs = requirements(&gps().on(&contact().build(), Event::Opened, at(0)));
    assert!(reqs.contains(&("remote_session".into(), vec!["remote_consent".into()], "GPS-REMOTE-CONSENT".into())));

    let yes = contact().category("repair").agent("a1").field("remote_consent", "同意").build();
    let actions = gps().on(&yes, custom("remote_session", "a1"), at(1));
    assert!(violations(&actions).is_empty());
    assert_eq!(remembered(&actions, "ladder").as_deref(), Some("remote"));

    let no = contact().category("repair").agent("a1").field("remote_consent", "no").build();
    assert_eq!(
        violations(&gps().on(&no, custom("remote_session", "a1"), at(1))),
        [("a1".to_string(), "GPS-REMOTE-CONSENT".to_string(), 5)]
    );
}

#[test]
fn on_site_repair_only_after_remote_was_tried_or_refused() {
    let approved = || contact().category("repair").agent("a1").memory("approved_by", "mgr");
    let skipped = gps().on(&approved().build(), custom("dispatched", "a1"), at(1));
    assert_eq!(violations(&skipped), [("a1".to_string(), "GPS-LADDER".to_string(), 2)]);
    assert!(
        violations(&gps().on(&approved().memory("ladder", "remote").build(), custom("dispatched", "a1"), at(1)))
            .is_empty()
    );
    assert!(
        violations(&gps().on(&approved().field("remote_consent", "拒绝").build(), custom("dispatched", "a1"), at(1)))
            .is_empty()
    );
    // An installation has nothing to try remotely.
    let install = contact().category("installation").agent("a1").memory("approved_by", "mgr").build();
    assert!(violations(&gps().on(&install, custom("dispatched", "a1"), at(1))).is_empty());
    // The department can switch the rule off.
    let lax = Harness::<Gps>::with_params(vec![("remote_before_onsite", ParamValue::Flag(false))]).unwrap();
    assert!(violations(&lax.on(&approved().build(), custom("dispatched", "a1"), at(1))).is_empty());
}

// ---- GPS-MAJOR-FAULT / GPS-FAULT-ANALYSIS -----------------------------------

#[test]
fn a_major_fault_goes_to_sales_and_the_manager_at_once() {
    let c =
        contact().category("repair").agent("a1").severity(Severity::Major).field("fault_place", "城西物流园").build();
    let actions =
        gps().on(&c, Event::Classified(Classified { category: "repair".into(), severity: Severity::Major }), at(0));
    let sent = notices(&actions);
    assert_eq!(sent.iter().map(|(to, _)| to.as_str()).collect::<Vec<_>>(), ["sales", "gps-manager"]);
    assert!(sent[0].1.contains("城西物流园") && sent[0].1.contains("处理预案 待补充"));
    let d = deadline(&actions, "major-fault-report").unwrap();
    assert_eq!((d.after, d.clock), (Span::minutes(30), Clock::Natural));
    assert!(scripts(&actions).iter().any(|(s, _)| s == "major_fault"));
    assert_eq!(remembered(&actions, "major_fault").as_deref(), Some("open"));
    // Only once.
    let later = contact().severity(Severity::Major).memory("major_fault", "open").build();
    assert!(
        notices(&gps().on(&later, Event::Answered(Answered { agent: "a1".into(), rings: None }), at(1))).is_empty()
    );
}

#[test]
fn the_structured_report_meets_the_deadline_and_its_fields_are_required() {
    let reqs = requirements(&gps().on(&contact().build(), Event::Opened, at(0)));
    assert!(reqs.iter().any(|(b, f, r)| b == "major_fault_reported" && f.len() == 4 && r == "GPS-MAJOR-FAULT"));
    assert!(reqs.iter().any(|(b, f, r)| b == "fault_report_sent" && f.len() == 4 && r == "GPS-FAULT-ANALYSIS"));
    let c = contact()
        .severity(Severity::Major)
        .memory("major_fault", "open")
        .field("fault_time", "09:10")
        .field("fault_place", "城西物流园")
        .field("fault_symptoms", "20台终端离线")
        .field("fault_plan", "远程重启平台服务")
        .build();
    let actions = gps().on(&c, custom("major_fault_reported", "a1"), at(600));
    assert!(met(&actions).contains(&"major-fault-report"));
    assert!(notices(&actions).iter().all(|(_, t)| t.contains("20台终端离线") && t.contains("远程重启平台服务")));
}

#[test]
fn a_late_major_fault_report_is_penalized() {
    let c = contact().severity(Severity::Major).agent("a1").memory("major_fault", "open").build();
    let actions = gps().on(&c, passed("major-fault-report"), at(1800));
    assert_eq!(penalties(&actions), [("GPS-MAJOR-FAULT".to_string(), 5)]);
    assert_eq!(escalations(&actions)[0].1, "gps-manager");
}

#[test]
fn after_the_fault_the_analysis_report_is_due_and_kept() {
    let c = contact().severity(Severity::Major).agent("a1").memory("major_fault", "reported").build();
    let actions = gps().on(&c, custom("fault_cleared", "a1"), at(0));
    let d = deadline(&actions, "fault-analysis-report").unwrap();
    assert_eq!((d.after, d.clock), (Span::days(3), Clock::Business));
    assert!(scripts(&actions).iter().any(|(s, t)| s == "fault_report" && t.contains("纠正预防措施")));
    let cleared = contact()
        .severity(Severity::Major)
        .memory("major_fault", "cleared")
        .field("fault_cause", "平台证书过期")
        .build();
    let actions = gps().on(&cleared, custom("fault_report_sent", "a1"), at(10));
    assert!(met(&actions).contains(&"fault-analysis-report"));
    assert!(notices(&actions)[0].1.contains("平台证书过期"));
    // Resolving a cleared fault again does not restart the clock.
    assert!(
        deadline(
            &gps().on(&cleared, Event::Resolved(Resolved { agent: "a1".into(), on_first_contact: false }), at(20)),
            "fault-analysis-report"
        )
        .is_none()
    );
}

#[test]
fn a_late_analysis_report_is_penalized() {
    let c = contact().severity(Severity::Major).memory("major_fault", "cleared").build();
    assert_eq!(
        penalties(&gps().on(&c, passed("fault-analysis-report"), at(0))),
        [("GPS-FAULT-ANALYSIS".to_string(), 3)]
    );
}

#[test]
fn a_normal_contact_never_starts_the_fault_procedure() {
    let c = contact().category("repair").agent("a1").build();
    let actions = gps().on(&c, Event::Resolved(Resolved { agent: "a1".into(), on_first_contact: true }), at(0));
    assert!(deadline(&actions, "fault-analysis-report").is_none() && notices(&actions).is_empty());
}

// ---- scripts ------------------------------------------------------------------

#[test]
fn answering_shows_the_greeting_and_the_intake() {
    let c = contact().category("repair").agent("a1").state(State::InProgress).build();
    let shown = scripts(&gps().on(&c, Event::Answered(Answered { agent: "a1".into(), rings: Some(2) }), at(3)));
    assert_eq!(shown[0].0, "greeting");
    assert!(shown[0].1.contains("很高兴为您服务"));
    assert_eq!(shown[1].0, "repair_intake");
    assert!(shown[1].1.contains("商品型号") && shown[1].1.contains("购买日期"));
}

#[test]
fn every_scene_fills_the_customers_title_and_breaks_no_rule() {
    let h = Harness::<Gps>::with_params(vec![("company_name", ParamValue::Text("北斗星通".into()))]).unwrap();
    let c = contact().category("installation").field("gender", "男").build();
    for scene in sopline_plugin_gps::manifest::SCENES {
        let text = h.script(scene, &c).unwrap_or_else(|| panic!("{scene}"));
        assert!(!text.contains('{'), "{scene}: {text}");
        if !["greeting"].contains(&scene) {
            assert!(text.contains("王先生"), "{scene}: {text}");
        }
        assert!(h.check(&c, &text).is_empty(), "{scene} breaks a rule: {:?}", h.check(&c, &text));
    }
    assert!(h.script("greeting", &c).unwrap().contains("北斗星通"));
    assert!(h.script("closing", &c).unwrap().contains("请问还有其他需求吗"));
    assert!(h.script("no-such-scene", &c).is_none());
    let nameless = contact().customer_name("").build();
    assert!(h.script("return_visit", &nameless).unwrap().starts_with("尊敬的客户您好"));
}

#[test]
fn the_closing_is_shown_when_resolved_during_the_call() {
    let c = contact().agent("a1").state(State::Resolved).build();
    let shown = scripts(&gps().on(&c, Event::Resolved(Resolved { agent: "a1".into(), on_first_contact: true }), at(9)));
    assert_eq!(shown[0].0, "closing");
}
