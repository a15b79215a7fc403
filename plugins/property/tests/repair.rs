//! Section 5: repairs and emergencies — a 30-minute reply and who fixes it.
mod support;
use support::*;

#[test]
fn a_repair_promises_a_reply_within_half_an_hour() {
    let actions = plugin().on(&hung_up("repair"), Event::Ended(None), at(5 * MIN));
    assert_eq!(
        deadlines(&actions),
        [("reply-owner".to_string(), 30 * MIN), ("notify-department".to_string(), 10 * MIN)]
    );
}

#[test]
fn notifying_names_who_fixes_it() {
    let c = with_deadline(hung_up("repair"), "notify-department", DeadlineStatus::Pending);
    let actions =
        plugin().on(&c, Event::HandedOff(HandedOff { agent: "a1".into(), to: "工程部张师傅".into() }), at(8 * MIN));
    assert_eq!(met(&actions), ["notify-department"]);
    assert_eq!(notices(&actions)[0].0, "工程部张师傅");
    assert!(notices(&actions)[0].1.contains("报修"));
    assert!(script_text(&actions, "notify-result").contains("已通知工程部张师傅负责处理"));
    assert_eq!(deadline_after(&actions, "notify-owner"), Some(20 * MIN));
}

#[test]
fn missed_repair_limits_are_penalized_under_section_5() {
    let c = hung_up("repair");
    for (deadline, rule) in [
        ("reply-owner", "PM-5.e"),
        ("notify-department", "PM-5.f"),
        ("notify-owner", "PM-5.g"),
        ("check-department", "PM-5.h"),
        ("return-visit", "PM-5.i"),
    ] {
        assert_eq!(penalties(&plugin().on(&c, passed(deadline), at(0))), pen(rule, 2), "{deadline}");
    }
}

#[test]
fn a_repeat_repair_complaint_is_5j() {
    let c = with_deadline(call("repair"), "reply-owner", DeadlineStatus::Missed);
    assert_eq!(penalties(&plugin().on(&c, Event::Reopened("还在漏水".into()), at(0))), pen("PM-5.j", 10));
}

#[test]
fn classifying_as_repair_asks_for_the_details() {
    let mut c = call("repair");
    c.category = "repair".into();
    let actions =
        plugin().on(&c, Event::Classified(Classified { category: "repair".into(), severity: Severity::Major }), at(60));
    assert_eq!(requirements(&actions)[0].2, "PM-5.c");
    assert!(scene_names(&actions).contains(&"ask-repair-details".to_string()));
}

#[test]
fn the_repair_reply_time_is_a_parameter() {
    let h = Harness::<Property>::with_params(vec![("repair_reply", ParamValue::Duration(span("20m")))]).unwrap();
    assert_eq!(deadline_after(&h.on(&hung_up("repair"), Event::Ended(None), at(0)), "reply-owner"), Some(20 * MIN));
}
