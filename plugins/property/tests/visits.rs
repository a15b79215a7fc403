//! Sections 3 and 4: return visits, retries, follow-ups and the cadence.
mod support;
use support::*;

#[test]
fn nobody_answering_is_tried_again_later() {
    let c = visited("complaint", "visit-1", "no_answer");
    let actions = plugin().on(&c, attempt("visit-1", "no_answer"), at(3 * HOUR));
    assert_eq!(met(&actions), ["return-visit"], "the visit was made in time");
    assert_eq!(cancelled(&actions), ["visit-1"]);
    let cbs = scheduled(&actions);
    assert_eq!((cbs[0].0.as_str(), cbs[0].1), ("visit-1-retry", 2 * HOUR));
    assert!(script_text(&actions, "no-answer").contains("2小时后再打电话过来"));
    assert!(rewards(&actions).is_empty() && penalties(&actions).is_empty());
}

#[test]
fn after_the_last_try_the_supervisor_takes_over() {
    let mut c = visited("complaint", "visit-1", "no_answer");
    c.callbacks[0].status = CallbackStatus::Done;
    for (id, attempts) in [("visit-1-retry", 1), ("visit-1-retry-2", 1)] {
        c.callbacks.push(CallbackInfo {
            id: id.into(),
            due: at(0),
            purpose: "回访".into(),
            attempts,
            status: CallbackStatus::Pending,
            last_outcome: Some("no_answer".into()),
        });
    }
    let actions = plugin().on(&c, attempt("visit-1-retry-2", "no_answer"), at(9 * HOUR));
    assert!(scheduled(&actions).is_empty());
    assert_eq!(escalations(&actions).len(), 1);
    // With one more attempt allowed, it is tried again instead.
    let h = Harness::<Property>::with_params(vec![("visit_attempts", ParamValue::Integer(4))]).unwrap();
    assert_eq!(scheduled(&h.on(&c, attempt("visit-1-retry-2", "no_answer"), at(9 * HOUR)))[0].0, "visit-1-retry-3");
}

#[test]
fn a_satisfied_owner_rewards_the_agent_and_books_the_second_visit() {
    let c = visited("repair", "visit-1", "satisfied");
    let actions = plugin().on(&c, attempt("visit-1", "satisfied"), at(3 * HOUR));
    assert_eq!(met(&actions), ["return-visit"]);
    assert_eq!(rewards(&actions), [("a1".to_string(), "PM-3.c".to_string(), 2)]);
    let cbs = scheduled(&actions);
    assert_eq!((cbs[0].0.as_str(), cbs[0].1), ("visit-2", 3 * 24 * HOUR));
    assert_eq!(script_text(&actions, "next-visit"), "感谢您的支持!我们将在3天后再次回访,祝您生活愉快!");
    assert!(remembered(&actions).contains(&("next_visit".to_string(), "3天".to_string())));
}

#[test]
fn the_second_visit_books_the_third_and_the_third_ends_the_cadence() {
    let mut c = visited("repair", "visit-1", "satisfied");
    c.callbacks.push(CallbackInfo {
        id: "visit-2".into(),
        due: at(0),
        purpose: "回访".into(),
        attempts: 1,
        status: CallbackStatus::Done,
        last_outcome: Some("reached".into()),
    });
    let actions = plugin().on(&c, attempt("visit-2", "reached"), at(4 * 24 * HOUR));
    assert!(rewards(&actions).is_empty(), "reached is not satisfied");
    assert_eq!(scheduled(&actions)[0].0, "visit-3");
    assert_eq!(scheduled(&actions)[0].1, 7 * 24 * HOUR);
    c.callbacks.push(CallbackInfo {
        id: "visit-3".into(),
        due: at(0),
        purpose: "回访".into(),
        attempts: 1,
        status: CallbackStatus::Done,
        last_outcome: Some("satisfied".into()),
    });
    let actions = plugin().on(&c, attempt("visit-3", "satisfied"), at(12 * 24 * HOUR));
    assert!(scheduled(&actions).is_empty());
    assert_eq!(rewards(&actions).len(), 1);
    assert_eq!(scene_names(&actions), ["closing"]);
}

#[test]
fn one_visit_only_when_configured() {
    let h = Harness::<Property>::with_params(vec![("visits", ParamValue::Integer(1))]).unwrap();
    let actions = h.on(&visited("complaint", "visit-1", "satisfied"), attempt("visit-1", "satisfied"), at(0));
    assert!(scheduled(&actions).is_empty());
}

#[test]
fn an_unsatisfied_owner_is_relayed_within_the_hour_and_followed_up() {
    let c = visited("complaint", "visit-1", "unsatisfied");
    let actions = plugin().on(&c, attempt("visit-1", "unsatisfied"), at(3 * HOUR));
    assert_eq!(met(&actions), ["return-visit"]);
    assert_eq!(deadline_after(&actions, "relay-problem"), Some(HOUR));
    assert_eq!(deadline_after(&actions, "follow-up"), Some(24 * HOUR));
    assert_eq!(scheduled(&actions)[0].0, "follow-up");
    assert!(escalations(&actions).is_empty());
    assert!(rewards(&actions).is_empty());
}

#[test]
fn relaying_the_problem_meets_only_the_relay_limit() {
    let c = with_deadline(visited("complaint", "visit-1", "unsatisfied"), "relay-problem", DeadlineStatus::Pending);
    let actions =
        plugin().on(&c, Event::HandedOff(HandedOff { agent: "a2".into(), to: "工程部".into() }), at(4 * HOUR));
    assert_eq!(met(&actions), ["notify-department", "relay-problem"]);
    assert!(deadlines(&actions).is_empty(), "no new notify/check chain for a relayed problem");
}

#[test]
fn the_follow_up_meets_its_limit_and_unsatisfied_again_escalates() {
    let c = visited("complaint", "follow-up", "unsatisfied");
    let actions = plugin().on(&c, attempt("follow-up", "unsatisfied"), at(20 * HOUR));
    assert_eq!(met(&actions), ["follow-up"]);
    assert_eq!(escalations(&actions).len(), 1);
    assert_eq!(scheduled(&actions)[0].0, "follow-up-2");
    let c = visited("complaint", "follow-up", "satisfied");
    let actions = plugin().on(&c, attempt("follow-up", "satisfied"), at(20 * HOUR));
    assert_eq!(scheduled(&actions)[0].0, "visit-2", "the cadence goes on once solved");
}

#[test]
fn missed_relay_and_follow_up_are_penalized() {
    let c = visited("complaint", "visit-1", "unsatisfied");
    assert_eq!(penalties(&plugin().on(&c, passed("relay-problem"), at(0))), pen("PM-3.e", 2));
    assert_eq!(penalties(&plugin().on(&c, passed("follow-up"), at(0))), pen("PM-3.h", 2));
}

#[test]
fn a_due_visit_puts_the_visit_words_in_front_of_the_agent() {
    let c = visited("repair", "visit-1", "no_answer");
    let due = |id: &str| {
        Event::CallbackDue(CallbackInfo {
            id: id.into(),
            due: at(0),
            purpose: "回访".into(),
            attempts: 0,
            status: CallbackStatus::Pending,
            last_outcome: None,
        })
    };
    let text = script_text(&plugin().on(&c, due("visit-1"), at(0)), "return-visit");
    assert!(text.starts_with("王先生您好,我是红树西岸管理处前台客服,回访一下您报修的问题"), "{text}");
    assert_eq!(scene_names(&plugin().on(&c, due("follow-up"), at(0))), ["follow-up"]);
    assert!(plugin().on(&c, due("missed-call"), at(0)).is_empty());
}

#[test]
fn an_attempt_without_an_id_applies_to_the_callback_just_tried() {
    let c = visited("complaint", "visit-1", "satisfied");
    let actions = plugin().on(&c, attempt("", "satisfied"), at(3 * HOUR));
    assert_eq!(rewards(&actions).len(), 1);
    assert_eq!(met(&actions), ["return-visit"]);
}

#[test]
fn calling_back_a_missed_call_is_not_a_visit() {
    let c = visited("consultation", "missed-call", "reached");
    let actions = plugin().on(&c, attempt("missed-call", "reached"), at(0));
    assert!(actions.is_empty());
}

#[test]
fn a_late_relay_does_not_restart_the_call_chain() {
    let c = with_deadline(visited("repair", "visit-1", "unsatisfied"), "relay-problem", DeadlineStatus::Missed);
    let actions =
        plugin().on(&c, Event::HandedOff(HandedOff { agent: "a3".into(), to: "工程部".into() }), at(5 * HOUR));
    assert!(deadlines(&actions).is_empty());
    assert!(scene_names(&actions).is_empty());
}
