//! 1.a/2.a/5.a answer within three rings, 1.b/2.b/5.b the standard greeting,
//! 1.c/5.c ask the owner, and calls nobody answered.
mod support;
use support::*;

fn ringing(category: &str) -> Contact {
    contact().category(category).field("gender", "男").build()
}

fn answered(rings: Option<u32>) -> Event {
    Event::Answered(Answered { agent: "a1".into(), rings })
}

fn say(text: &str) -> Event {
    Event::Message(Message { from: Speaker::Agent, agent: Some("a1".into()), text: text.into() })
}

#[test]
fn a_ringing_phone_gets_an_answer_deadline_of_three_rings() {
    let actions = plugin().on(&ringing("complaint"), Event::Opened, at(0));
    assert_eq!(deadline_after(&actions, "answer"), Some(15));
    let actions = Harness::<Property>::with_params(vec![
        ("max_rings", ParamValue::Integer(4)),
        ("ring_length", ParamValue::Duration(span("6s"))),
    ])
    .unwrap()
    .on(&ringing("complaint"), Event::Opened, at(0));
    assert_eq!(deadline_after(&actions, "answer"), Some(24));
}

#[test]
fn chats_and_visits_have_no_ring_deadline() {
    let c = contact().channel(Channel::Visit).build();
    assert_eq!(deadline_after(&plugin().on(&c, Event::Opened, at(0)), "answer"), None);
}

#[test]
fn opened_requires_the_room_and_for_repairs_the_fault_details() {
    let reqs = requirements(&plugin().on(&ringing("consultation"), Event::Opened, at(0)));
    assert_eq!(reqs, vec![("handed_off".to_string(), vec!["room".to_string()], "PM-1.c".to_string())]);
    let reqs = requirements(&plugin().on(&ringing("repair"), Event::Opened, at(0)));
    assert_eq!(reqs[0].1, ["room", "nature", "place", "time"]);
    assert_eq!(reqs[0].2, "PM-5.c");
}

#[test]
fn answered_within_three_rings_meets_the_deadline_without_penalty() {
    let mut c = call("consultation");
    c.fields.retain(|(k, _)| k != "room");
    let actions = plugin().on(&c, answered(Some(3)), at(8));
    assert_eq!(met(&actions), ["answer"]);
    assert!(penalties(&actions).is_empty());
    assert_eq!(scene_names(&actions), ["greeting", "ask-surname", "ask-room", "agree-reply-time"]);
    assert_eq!(script_text(&actions, "greeting"), "您好,欢迎致电红树西岸管理处前台客服,请问有什么可以帮助您!");
    assert_eq!(script_text(&actions, "ask-room"), "王先生,请问您是多少栋多少号房?");
    assert!(script_text(&actions, "agree-reply-time").contains("24小时内给您回复"));
}

#[test]
fn complaint_and_repair_calls_get_their_own_scripts() {
    let actions = plugin().on(&call("complaint"), answered(Some(1)), at(8));
    assert_eq!(scene_names(&actions), ["greeting", "ask-surname", "comfort", "agree-reply-time"]);
    assert!(script_text(&actions, "agree-reply-time").contains("1小时内"));
    let actions = plugin().on(&call("repair"), answered(Some(1)), at(8));
    assert_eq!(scene_names(&actions), ["greeting", "ask-surname", "ask-repair-details", "agree-reply-time"]);
    assert!(script_text(&actions, "agree-reply-time").contains("30分钟内"));
}

#[test]
fn four_rings_is_a_breach_under_the_section_of_the_call() {
    assert_eq!(penalties(&plugin().on(&call("consultation"), answered(Some(4)), at(12))), pen("PM-1.a", 2));
    assert_eq!(penalties(&plugin().on(&call("complaint"), answered(Some(4)), at(12))), pen("PM-2.a", 2));
    assert_eq!(penalties(&plugin().on(&call("repair"), answered(Some(5)), at(12))), pen("PM-5.a", 2));
    assert_eq!(penalized_agents(&plugin().on(&call("repair"), answered(Some(5)), at(12))), ["a1"]);
}

#[test]
fn ringing_past_the_deadline_escalates_then_penalizes_the_answerer_once() {
    let waiting = contact().category("complaint").build();
    let actions = plugin().on(&waiting, passed("answer"), at(15));
    assert!(penalties(&actions).is_empty(), "nobody holds the call yet");
    assert_eq!(escalations(&actions), [("supervisor".to_string(), "客服主管".to_string())]);
    // Answered late, with or without a ring count: one penalty.
    let late = with_deadline(call("complaint"), "answer", DeadlineStatus::Missed);
    assert_eq!(penalties(&plugin().on(&late, answered(None), at(20))), pen("PM-2.a", 2));
    assert_eq!(penalties(&plugin().on(&late, answered(Some(5)), at(25))), pen("PM-2.a", 2));
}

#[test]
fn a_call_nobody_answered_is_called_back() {
    let mut c = contact().category("repair").state(State::Pending).build();
    c.ended_at = Some(at(30));
    let actions = plugin().on(&c, Event::Ended(None), at(30));
    assert_eq!(cancelled(&actions), ["answer"]);
    let cbs = scheduled(&actions);
    assert_eq!((cbs[0].0.as_str(), cbs[0].1), ("missed-call", 600));
    assert!(deadlines(&actions).is_empty(), "no department chain for a call nobody took");
}

#[test]
fn the_first_words_must_be_the_standard_greeting() {
    let good = plugin().on(&call("complaint"), say("您好,欢迎致电红树西岸管理处前台客服,请问有什么可以帮助您!"), at(9));
    assert_eq!(remembered(&good), [("greeted".to_string(), "1".to_string())]);
    assert!(violations(&good).is_empty());
    let bad = plugin().on(&call("complaint"), say("喂,什么事?"), at(9));
    assert_eq!(violations(&bad), [("a1".to_string(), "PM-2.b".to_string(), 1)]);
    let bad = plugin().on(&call("repair"), say("喂?"), at(9));
    assert_eq!(violations(&bad)[0].1, "PM-5.b");
}

#[test]
fn only_the_first_words_are_checked() {
    let greeted = with_memory(call("consultation"), "greeted", "1");
    assert!(plugin().on(&greeted, say("好的"), at(30)).is_empty());
    let customer = Event::Message(Message { from: Speaker::Customer, agent: None, text: "喂".into() });
    assert!(plugin().on(&call("consultation"), customer, at(9)).is_empty());
}
