//! Section 1: consultations answered on the spot or passed on.
mod support;
use support::*;

#[test]
fn answered_on_the_spot_is_resolved_with_the_closing_and_no_chain() {
    let mut c = call("consultation");
    c.state = State::Resolved;
    c.resolved_at = Some(at(2 * MIN));
    let actions =
        plugin().on(&c, Event::Resolved(Resolved { agent: "a1".into(), on_first_contact: true }), at(2 * MIN));
    assert_eq!(scene_names(&actions), ["closing"]);
    assert!(script_text(&actions, "closing").starts_with("请问还有其他需求吗"));
    assert!(scheduled(&actions).is_empty(), "no return visit for a consultation");
    c.ended_at = Some(at(3 * MIN));
    assert!(plugin().on(&c, Event::Ended(Some("a1".into())), at(3 * MIN)).is_empty());
}

#[test]
fn an_open_consultation_promises_a_reply_and_is_passed_on() {
    let actions = plugin().on(&hung_up("consultation"), Event::Ended(Some("a1".into())), at(5 * MIN));
    assert_eq!(
        deadlines(&actions),
        [("reply-owner".to_string(), 24 * HOUR), ("notify-department".to_string(), 10 * MIN)]
    );
}

#[test]
fn the_lost_pass_on_number_is_a_parameter() {
    let h =
        Harness::<Property>::with_params(vec![("consultation_pass_on", ParamValue::Duration(span("30m")))]).unwrap();
    let actions = h.on(&hung_up("consultation"), Event::Ended(None), at(5 * MIN));
    assert_eq!(deadline_after(&actions, "notify-department"), Some(30 * MIN));
}

#[test]
fn passing_on_meets_the_limit_and_starts_the_centre_clock() {
    let c = with_deadline(hung_up("consultation"), "notify-department", DeadlineStatus::Pending);
    let actions = plugin().on(&c, Event::HandedOff(HandedOff { agent: "a1".into(), to: "财务部".into() }), at(9 * MIN));
    assert_eq!(met(&actions), ["notify-department"]);
    assert_eq!(deadlines(&actions), [("centre-reply".to_string(), 24 * HOUR)]);
    assert_eq!(remembered(&actions), [("handed_to".to_string(), "财务部".to_string())]);
    let (to, text) = &notices(&actions)[0];
    assert_eq!(to, "财务部");
    assert!(text.contains("5栋1203") && text.contains("咨询"), "{text}");
}

#[test]
fn the_centre_answer_is_relayed_within_three_hours() {
    let c = with_memory(
        with_deadline(hung_up("consultation"), "centre-reply", DeadlineStatus::Pending),
        "handed_to",
        "财务部",
    );
    let reply = Event::DepartmentReplied(DepartmentReplied {
        from: "财务部".into(),
        text: "水电费由水务集团和供电局直接收取".into(),
    });
    let actions = plugin().on(&c, reply, at(5 * HOUR));
    assert!(met(&actions).contains(&"centre-reply"));
    assert_eq!(deadline_after(&actions, "relay-answer"), Some(3 * HOUR));
    let text = script_text(&actions, "answer-result");
    assert!(text.starts_with("王先生,您好!") && text.contains("财务部的答复是:水电费由水务集团"), "{text}");
}

#[test]
fn telling_the_owner_keeps_the_promise() {
    let actions = plugin().on(&hung_up("consultation"), Event::CustomerNotified("a1".into()), at(6 * HOUR));
    assert_eq!(met(&actions), ["notify-owner", "reply-owner", "relay-answer"]);
}

#[test]
fn missed_consultation_limits_are_penalized_under_section_1() {
    let c = hung_up("consultation");
    assert_eq!(penalties(&plugin().on(&c, passed("notify-department"), at(0))), pen("PM-1.f", 2));
    assert_eq!(penalties(&plugin().on(&c, passed("reply-owner"), at(0))), pen("PM-1.e", 2));
    assert_eq!(penalties(&plugin().on(&c, passed("relay-answer"), at(0))), pen("PM-1.g", 2));
    assert_eq!(penalized_agents(&plugin().on(&c, passed("relay-answer"), at(0))), ["a1"]);
}

#[test]
fn a_late_centre_is_escalated_not_blamed_on_the_agent() {
    let c = with_memory(hung_up("consultation"), "handed_to", "财务部");
    let actions = plugin().on(&c, passed("centre-reply"), at(0));
    assert!(penalties(&actions).is_empty());
    assert_eq!(escalations(&actions), [("supervisor".to_string(), "客服主管".to_string())]);
    assert_eq!(notices(&actions)[0].0, "财务部");
}

#[test]
fn late_points_are_a_parameter() {
    let h = Harness::<Property>::with_params(vec![("late_points", ParamValue::Integer(7))]).unwrap();
    assert_eq!(penalties(&h.on(&hung_up("consultation"), passed("reply-owner"), at(0))), pen("PM-1.e", 7));
}
