//! Section 2: complaints — notify, tell the owner, check, visit, repeat complaint.
mod support;
use support::*;

fn handed(to: &str) -> Event {
    Event::HandedOff(HandedOff { agent: "a1".into(), to: to.into() })
}

#[test]
fn hanging_up_starts_the_ten_minutes_to_notify_and_the_reply_promise() {
    let actions = plugin().on(&hung_up("complaint"), Event::Ended(None), at(5 * MIN));
    assert_eq!(deadlines(&actions), [("reply-owner".to_string(), HOUR), ("notify-department".to_string(), 10 * MIN)]);
}

#[test]
fn handed_off_during_the_call_needs_no_notify_deadline_after_it() {
    let c = with_memory(hung_up("complaint"), "handed_to", "工程部");
    let actions = plugin().on(&c, Event::Ended(None), at(5 * MIN));
    assert_eq!(deadlines(&actions), [("reply-owner".to_string(), HOUR)]);
}

#[test]
fn notifying_the_department_starts_telling_and_checking() {
    let c = with_deadline(hung_up("complaint"), "notify-department", DeadlineStatus::Pending);
    let actions = plugin().on(&c, handed("工程部"), at(12 * MIN));
    assert_eq!(met(&actions), ["notify-department"]);
    assert_eq!(
        deadlines(&actions),
        [("notify-owner".to_string(), 20 * MIN), ("check-department".to_string(), 2 * HOUR)]
    );
    let text = script_text(&actions, "notify-result");
    assert!(text.contains("王先生") && text.contains("已通知工程部负责处理"), "{text}");
    assert!(notices(&actions)[0].1.contains("投诉"));
}

#[test]
fn telling_the_owner_and_checking_meet_their_limits() {
    let c = hung_up("complaint");
    assert!(met(&plugin().on(&c, Event::CustomerNotified("a1".into()), at(0))).contains(&"notify-owner"));
    let reply =
        Event::DepartmentReplied(DepartmentReplied { from: "工程部".into(), text: "已派人处理".into() });
    assert_eq!(met(&plugin().on(&c, reply, at(0))), ["check-department"]);
    let checked =
        Event::Custom(CustomEvent { kind: "department_checked".into(), agent: Some("a1".into()), fields: vec![] });
    assert_eq!(met(&plugin().on(&c, checked, at(0))), ["check-department"]);
    let other = Event::Custom(CustomEvent { kind: "something_else".into(), agent: None, fields: vec![] });
    assert!(plugin().on(&c, other, at(0)).is_empty());
}

#[test]
fn each_missed_complaint_limit_is_penalized_under_its_letter() {
    let c = hung_up("complaint");
    for (deadline, rule) in [
        ("reply-owner", "PM-2.e"),
        ("notify-department", "PM-2.f"),
        ("notify-owner", "PM-2.g"),
        ("check-department", "PM-2.h"),
        ("return-visit", "PM-2.i"),
    ] {
        assert_eq!(penalties(&plugin().on(&c, passed(deadline), at(0))), pen(rule, 2), "{deadline}");
    }
    assert!(plugin().on(&c, passed("someone-elses"), at(0)).is_empty());
}

#[test]
fn resolving_schedules_the_return_visit_within_24_hours() {
    let mut c = hung_up("complaint");
    c.state = State::Resolved;
    let actions =
        plugin().on(&c, Event::Resolved(Resolved { agent: "a1".into(), on_first_contact: false }), at(3 * HOUR));
    let cbs = scheduled(&actions);
    assert_eq!((cbs[0].0.as_str(), cbs[0].1), ("visit-1", 2 * HOUR));
    assert!(cbs[0].2.contains("满意"));
    assert_eq!(deadline_after(&actions, "return-visit"), Some(24 * HOUR));
    assert!(scene_names(&actions).is_empty(), "the owner is not on the phone");
}

#[test]
fn a_repeat_complaint_after_a_missed_limit_is_a_breach_charged_once() {
    let mut c = with_deadline(hung_up("complaint"), "notify-owner", DeadlineStatus::Missed);
    c.state = State::InProgress;
    c.reopen_count = 1;
    c.callbacks.push(CallbackInfo {
        id: "visit-1".into(),
        due: at(0),
        purpose: "回访".into(),
        attempts: 0,
        status: CallbackStatus::Pending,
        last_outcome: None,
    });
    let c = with_deadline(c, "return-visit", DeadlineStatus::Pending);
    let actions = plugin().on(&c, Event::Reopened("空调还是不制冷".into()), at(3 * HOUR));
    assert_eq!(penalties(&actions), pen("PM-2.j", 10));
    assert_eq!(escalations(&actions).len(), 1);
    assert!(remembered(&actions).contains(&("charged_misses".to_string(), "1".to_string())));
    assert!(
        remembered(&actions).contains(&("handed_to".to_string(), String::new())),
        "the new round is passed on again"
    );
    assert_eq!(cancelled(&actions), ["return-visit", "visit-1"]);
    assert!(script_text(&actions, "apology").contains("非常抱歉我们的服务没有及时到位"));
    // The same missed limit is not charged again on a third call.
    let again = with_memory(c, "charged_misses", "1");
    assert!(penalties(&plugin().on(&again, Event::Reopened("还是不行".into()), at(5 * HOUR))).is_empty());
}

#[test]
fn a_repeat_complaint_with_every_limit_kept_is_no_breach() {
    let mut c = with_deadline(call("complaint"), "notify-owner", DeadlineStatus::Met);
    c = with_deadline(c, "answer", DeadlineStatus::Missed);
    let actions = plugin().on(&c, Event::Reopened("又坏了".into()), at(0));
    assert!(penalties(&actions).is_empty(), "a late pick-up is 2.a, not 2.j");
    assert!(escalations(&actions).is_empty());
}

#[test]
fn repeat_complaint_points_are_a_parameter() {
    let h = Harness::<Property>::with_params(vec![("repeat_complaint_points", ParamValue::Integer(20))]).unwrap();
    let c = with_deadline(call("complaint"), "check-department", DeadlineStatus::Missed);
    assert_eq!(penalties(&h.on(&c, Event::Reopened("x".into()), at(0))), pen("PM-2.j", 20));
}
