//! GPS-RETURN-VISIT and GPS-DECEMBER-CALL: the cadence by calendar months
//! from the delivery date, chaining, retries, deadlines, and the end of service.

use sopline_plugin_gps::Gps;
use sopline_plugin_gps::civil::{Date, Offset, TimeOfDay};
use sopline_plugin_gps::visits::visit_due;
use sopline_sdk::testing::*;
use sopline_sdk::*;

/// A Beijing local time as a timestamp.
fn bj(date: &str, time: &str) -> Timestamp {
    Offset::minutes(480).unwrap().instant(Date::parse(date).unwrap(), TimeOfDay::parse(time).unwrap())
}

fn gps() -> Harness<Gps> {
    Harness::new()
}

fn delivered(kind: &str, fields: &[(&str, &str)]) -> Event {
    Event::Custom(CustomEvent {
        kind: kind.into(),
        agent: Some("tech-7".into()),
        fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    })
}

/// The callbacks scheduled for a fixed time, as (id, due).
fn scheduled(actions: &[Action]) -> Vec<(String, Timestamp)> {
    callbacks(actions)
        .into_iter()
        .filter_map(|c| match c.due {
            CallbackDue::At(due) => Some((c.id, due)),
            CallbackDue::After(_) => None,
        })
        .collect()
}

fn remembered(actions: &[Action], key: &str) -> Option<String> {
    actions.iter().find_map(|a| match a {
        Action::Remember((k, v)) if k == key => Some(v.clone()),
        _ => None,
    })
}

fn attempt(id: &str, outcome: &str) -> Event {
    Event::CallbackAttempted(CallbackAttempted { agent: "a1".into(), outcome: outcome.into(), callback: id.into() })
}

/// A served customer whose latest visit is `visit-{n}`, attempted `attempts` times.
fn served(n: u32, attempts: u32, outcome: Option<&str>) -> Contact {
    let status = if outcome.is_some_and(|o| o != "no_answer") { CallbackStatus::Done } else { CallbackStatus::Pending };
    let visit = format!("visit-{n}");
    contact()
        .category("installation")
        .agent("a1")
        .state(State::Resolved)
        .memory("delivered_on", "2026-01-31")
        .memory("visit_last", &n.to_string())
        .memory("december_last", "2026")
        .callback(&visit, 0, "回访")
        .callback_attempted(&visit, attempts, outcome, status)
        .callback("december-2026", bj("2026-12-01", "10:00"), "12月")
        .build()
}

#[test]
fn delivered_on_january_31_is_visited_on_the_last_day_of_february() {
    let h = gps();
    let config = h.plugin.config();
    let jan31 = Date::parse("2026-01-31").unwrap();
    assert_eq!(visit_due(config, jan31, 1), bj("2026-02-28", "10:00"));
    assert_eq!(visit_due(config, Date::parse("2028-01-31").unwrap(), 1), bj("2028-02-29", "10:00"));
    // No drift: the second visit is on 31 March, not 28 March.
    assert_eq!(visit_due(config, jan31, 2), bj("2026-03-31", "10:00"));
    assert_eq!(visit_due(config, jan31, 3), bj("2026-04-30", "10:00"));
}

#[test]
fn twelve_monthly_visits_then_quarterly_for_as_long_as_served() {
    let h = gps();
    let config = h.plugin.config();
    let jan31 = Date::parse("2026-01-31").unwrap();
    assert_eq!(visit_due(config, jan31, 11), bj("2026-12-31", "10:00"));
    assert_eq!(visit_due(config, jan31, 12), bj("2027-01-31", "10:00"));
    assert_eq!(visit_due(config, jan31, 13), bj("2027-04-30", "10:00"));
    assert_eq!(visit_due(config, jan31, 14), bj("2027-07-31", "10:00"));
    assert_eq!(visit_due(config, jan31, 16), bj("2028-01-31", "10:00"));
    assert_eq!(visit_due(config, jan31, 52), bj("2037-01-31", "10:00"));
}

#[test]
fn the_cadence_and_time_are_parameters() {
    let h = Harness::<Gps>::with_params(vec![
        ("monthly_visit_months", ParamValue::Integer(6)),
        ("later_visit_interval_months", ParamValue::Integer(2)),
        ("visit_time", ParamValue::Text("15:30".into())),
        ("utc_offset_minutes", ParamValue::Integer(0)),
    ])
    .unwrap();
    let delivered = Date::parse("2026-05-31").unwrap();
    let utc =
        |d: &str, t: &str| Offset::minutes(0).unwrap().instant(Date::parse(d).unwrap(), TimeOfDay::parse(t).unwrap());
    assert_eq!(visit_due(h.plugin.config(), delivered, 6), utc("2026-11-30", "15:30"));
    assert_eq!(visit_due(h.plugin.config(), delivered, 7), utc("2027-01-31", "15:30"));
}

#[test]
fn installation_starts_the_visits_and_the_december_call() {
    let c = contact().category("installation").agent("a1").build();
    let actions = gps().on(&c, delivered("installed", &[]), bj("2026-01-31", "16:20"));
    assert_eq!(
        scheduled(&actions),
        [("visit-1".to_string(), bj("2026-02-28", "10:00")), ("december-2026".to_string(), bj("2026-12-01", "10:00"))]
    );
    assert_eq!(remembered(&actions, "delivered_on").as_deref(), Some("2026-01-31"));
    assert_eq!(remembered(&actions, "visit_last").as_deref(), Some("1"));
    // A second delivery event does not restart the cadence.
    let started = contact().memory("delivered_on", "2026-01-31").build();
    assert!(scheduled(&gps().on(&started, delivered("delivered", &[]), bj("2026-02-01", "09:00"))).is_empty());
}

#[test]
fn the_delivery_date_is_local_time_not_utc() {
    // 2026-02-01 00:30 in Beijing is still 31 January in UTC.
    let actions = gps().on(&contact().build(), delivered("delivered", &[]), bj("2026-02-01", "00:30"));
    assert_eq!(remembered(&actions, "delivered_on").as_deref(), Some("2026-02-01"));
    assert_eq!(scheduled(&actions)[0].1, bj("2026-03-01", "10:00"));
}

#[test]
fn a_delivery_registered_late_starts_with_the_next_visit_ahead() {
    let actions = gps().on(
        &contact().build(),
        delivered("delivered", &[("delivered_on", "2025-01-15")]),
        bj("2026-03-20", "09:00"),
    );
    // 12 monthly visits (to 2026-01-15), then 2026-04-15 is the 13th.
    assert_eq!(scheduled(&actions)[0], ("visit-13".to_string(), bj("2026-04-15", "10:00")));
    assert_eq!(remembered(&actions, "visit_last").as_deref(), Some("13"));
}

#[test]
fn a_december_delivery_gets_next_years_december_call() {
    let actions = gps().on(&contact().build(), delivered("installed", &[]), bj("2026-12-10", "11:00"));
    assert_eq!(scheduled(&actions)[1], ("december-2027".to_string(), bj("2027-12-01", "10:00")));
}

#[test]
fn a_due_visit_shows_the_script_and_must_be_attempted_within_the_window() {
    let c = served(3, 0, None);
    let due = c.callbacks[0].clone();
    let actions = gps().on(&c, Event::CallbackDue(due), bj("2026-04-30", "10:00"));
    assert!(has_deadline(&actions, "visit-3"));
    let shown = scripts(&actions);
    assert_eq!(shown[0].0, "return_visit");
    assert!(shown[0].1.contains("王小明您好") && shown[0].1.contains("定期回访"));
}

#[test]
fn an_attempted_visit_is_kept_and_chains_the_next() {
    let actions =
        gps().on(&served(3, 1, Some("satisfied")), attempt("visit-3", "satisfied"), bj("2026-04-30", "11:00"));
    assert!(actions.contains(&Action::MeetDeadline("visit-3".into())));
    assert_eq!(scheduled(&actions), [("visit-4".to_string(), bj("2026-05-31", "10:00"))]);
    assert_eq!(remembered(&actions, "visit_last").as_deref(), Some("4"));
}

#[test]
fn the_twelfth_monthly_visit_chains_the_first_quarterly_one() {
    let actions = gps().on(&served(12, 1, Some("reached")), attempt("visit-12", "reached"), bj("2027-01-31", "10:30"));
    assert_eq!(scheduled(&actions), [("visit-13".to_string(), bj("2027-04-30", "10:00"))]);
}

#[test]
fn an_attempt_without_an_id_applies_to_the_pending_visit() {
    let actions = gps().on(&served(5, 1, Some("satisfied")), attempt("", "satisfied"), bj("2026-06-30", "10:30"));
    assert_eq!(scheduled(&actions)[0].0, "visit-6");
}

#[test]
fn unanswered_visits_are_retried_then_given_up_and_chained() {
    let first = gps().on(&served(4, 1, Some("no_answer")), attempt("visit-4", "no_answer"), bj("2026-05-31", "10:05"));
    assert!(first.contains(&Action::MeetDeadline("visit-4".into())), "an unanswered call is still an attempt");
    assert!(scheduled(&first).is_empty());
    let third = gps().on(&served(4, 3, Some("no_answer")), attempt("visit-4", "no_answer"), bj("2026-06-01", "15:00"));
    assert!(third.contains(&Action::CancelCallback("visit-4".into())));
    assert_eq!(scheduled(&third)[0].0, "visit-5");
}

#[test]
fn an_unsatisfied_visit_is_passed_to_the_manager() {
    let actions =
        gps().on(&served(2, 1, Some("unsatisfied")), attempt("visit-2", "unsatisfied"), bj("2026-03-31", "10:10"));
    assert!(
        actions
            .iter()
            .any(|a| matches!(a, Action::Notify(n) if n.to == "gps-manager" && n.text.contains("回访不满意")))
    );
    assert_eq!(scheduled(&actions)[0].0, "visit-3");
}

#[test]
fn a_visit_not_attempted_in_time_is_penalized() {
    let actions = gps().on(
        &served(3, 0, None),
        Event::DeadlinePassed(DeadlinePassed { name: "visit-3".into(), due: 0 }),
        bj("2026-05-03", "10:00"),
    );
    assert_eq!(penalties(&actions), [("GPS-RETURN-VISIT".to_string(), 2)]);
}

#[test]
fn the_december_call_must_be_made_in_december_and_chains_yearly() {
    let c = served(10, 0, None);
    let due = c.callbacks[1].clone();
    let actions = gps().on(&c, Event::CallbackDue(due), bj("2026-12-01", "10:00"));
    let deadline = actions
        .iter()
        .find_map(|a| match a {
            Action::SetDeadline(d) if d.name == "december-call-2026" => Some(d.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(bj("2026-12-01", "10:00") + deadline.after.natural_millis(), bj("2027-01-01", "00:00"));
    assert!(
        scripts(&actions)
            .iter()
            .any(|(s, t)| s == "december_call" && t.contains("新年礼物") && t.contains("明年的需求"))
    );

    let mut called = served(10, 0, None);
    called.callbacks[1].attempts = 1;
    called.callbacks[1].status = CallbackStatus::Done;
    let actions = gps().on(&called, attempt("december-2026", "reached"), bj("2026-12-02", "10:00"));
    assert!(actions.contains(&Action::MeetDeadline("december-call-2026".into())));
    assert_eq!(scheduled(&actions), [("december-2027".to_string(), bj("2027-12-01", "10:00"))]);
}

#[test]
fn a_missed_december_call_is_penalized_and_next_year_scheduled() {
    let actions = gps().on(
        &served(10, 0, None),
        Event::DeadlinePassed(DeadlinePassed { name: "december-call-2026".into(), due: 0 }),
        bj("2027-01-01", "00:00"),
    );
    assert_eq!(penalties(&actions), [("GPS-DECEMBER-CALL".to_string(), 2)]);
    assert!(actions.contains(&Action::CancelCallback("december-2026".into())));
    assert_eq!(scheduled(&actions)[0].0, "december-2027");
}

#[test]
fn when_service_ends_the_visits_stop() {
    let actions = gps().on(&served(7, 0, None), delivered("service_ended", &[]), bj("2026-08-01", "09:00"));
    assert!(actions.contains(&Action::CancelCallback("visit-7".into())));
    assert!(actions.contains(&Action::CancelCallback("december-2026".into())));
    let ended = {
        let mut c = served(7, 1, Some("satisfied"));
        c.memory.push(("service_ended".into(), "yes".into()));
        c
    };
    assert!(scheduled(&gps().on(&ended, attempt("visit-7", "satisfied"), bj("2026-08-31", "10:00"))).is_empty());
}
