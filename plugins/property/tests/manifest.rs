//! The manifest, the parameters and the scripts.
mod support;
use sopline_plugin_property::scripts::SCENES;
use support::*;

fn manifest() -> Manifest {
    <Property as Plugin>::manifest()
}

#[test]
fn the_manifest_says_what_the_plugin_understands() {
    let m = manifest();
    assert_eq!((m.id.as_str(), m.wit_version.as_str()), ("property", "0.1.0"));
    assert_eq!(m.categories, ["consultation", "complaint", "repair"]);
    assert_eq!(m.event_types, ["department_checked"]);
    for scene in [
        "greeting",
        "ask-surname",
        "ask-room",
        "comfort",
        "agree-reply-time",
        "notify-result",
        "return-visit",
        "no-answer",
        "closing",
    ] {
        assert!(m.scenes.iter().any(|s| s == scene), "{scene}");
    }
    let ids: Vec<&str> = m.rules.iter().map(|r| r.id.as_str()).collect();
    for id in [
        "PM-1.a", "PM-1.f", "PM-1.h", "PM-2.f", "PM-2.j", "PM-2.k", "PM-3.b", "PM-3.e", "PM-3.h", "PM-4.e", "PM-4.j",
        "PM-5.c", "PM-5.f",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
    assert!(m.params.iter().all(|p| p.description.len() > 20), "every parameter is explained");
    assert!(m.params.iter().filter(|p| p.description.contains("was lost")).count() >= 4);
}

#[test]
fn every_scene_renders_without_leftover_placeholders() {
    let c = with_memory(call("complaint"), "handed_to", "工程部");
    for (scene, _) in SCENES {
        let text = plugin().script(scene, &c).unwrap();
        assert!(!text.contains('{'), "{scene}: {text}");
    }
    assert_eq!(plugin().script("no-such-scene", &c), None);
}

#[test]
fn scripts_use_the_property_name_and_the_owner_s_title() {
    let h = Harness::<Property>::with_params(vec![("property_name", ParamValue::Text("翠湖山庄".into()))]).unwrap();
    let c = call("repair");
    assert_eq!(h.script("greeting", &c).unwrap(), "您好,欢迎致电翠湖山庄管理处前台客服,请问有什么可以帮助您!");
    let mut woman = contact().customer_name("李娜").field("gender", "女").build();
    woman.category = "complaint".into();
    assert!(
        h.script("return-visit", &woman)
            .unwrap()
            .starts_with("李女士您好,我是翠湖山庄管理处前台客服,回访一下您投诉的问题")
    );
    assert!(plugin().script("notify-result", &c).unwrap().contains("已通知相关部门"), "before anyone was named");
}

#[test]
fn bad_parameters_name_the_key() {
    let err = |params: Vec<(&str, ParamValue)>| Harness::<Property>::with_params(params).err().unwrap();
    assert!(err(vec![("visits", ParamValue::Integer(4))]).contains("`visits`"));
    assert!(err(vec![("max_rings", ParamValue::Integer(0))]).contains("`max_rings`"));
    assert!(err(vec![("property_name", ParamValue::Text(" ".into()))]).contains("`property_name`"));
    assert!(err(vec![("supervisor", ParamValue::Text(String::new()))]).contains("`supervisor`"));
    assert!(err(vec![("answer_points", ParamValue::Integer(-1))]).contains("`answer_points`"));
    assert!(err(vec![("visit_after", ParamValue::Duration(span("2d")))]).contains("`visit_after`"));
    assert!(err(vec![("notify_department", ParamValue::Text("10m".into()))]).contains("`notify_department`"));
    assert!(err(vec![("notify_departmnet", ParamValue::Duration(span("10m")))]).contains("unknown parameter"));
}
