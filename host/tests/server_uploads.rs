//! `POST /api/v1/plugins` against a real server: components that are not
//! plugins are refused from their structure before anything compiles them,
//! so an author (or a stolen author token) cannot make the server burn its
//! cores on a component it would refuse anyway; oversized bodies answer JSON;
//! real plugins uploaded at the same time all load.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Api, PROPERTY, Server, rules, sqlite_db, tempdir, token};

/// Enough dead code to take over a second to compile on the test machine
/// (1.4 s measured), yet under the host's limits on code size.
const DEAD_CODE: usize = 3 << 20;

/// A server whose only plugin is the property desk's, so the other real
/// plugins are new to it.
fn server_with_one_plugin(name: &str) -> (Server, Api) {
    let db = sqlite_db(name);
    let author = Api::new(&token(&db, "author", "writer", &[]));
    let rules = rules(&[]);
    for entry in std::fs::read_dir(rules.join("departments")).unwrap() {
        let path = entry.unwrap().path();
        if path.file_stem().unwrap() != PROPERTY {
            std::fs::remove_file(path).unwrap();
        }
    }
    let plugins = tempdir("one-plugin");
    std::fs::copy(plugin("property"), plugins.join("property.wasm")).unwrap();
    let plugins = plugins.display().to_string();
    let server = Server::start_with(&db, &rules, "n1", &["--plugins", &plugins]);
    (server, author)
}

fn plugin(name: &str) -> PathBuf {
    Path::new(sopline_tests::PLUGIN_DIR).join(format!("{name}.wasm"))
}

/// Uploads `wasm`; the status, the JSON body (Null if it is not JSON) and how long it took.
fn upload(server: &Server, api: &Api, wasm: Vec<u8>) -> (u16, Value, Duration) {
    let started = Instant::now();
    let r = api
        .client
        .post(server.url("/api/v1/plugins"))
        .bearer_auth(&api.token)
        .header(reqwest::header::CONTENT_TYPE, "application/wasm")
        .body(wasm)
        .send()
        .unwrap();
    let status = r.status().as_u16();
    let body = r.json().unwrap_or(Value::Null);
    (status, body, started.elapsed())
}

#[track_caller]
fn refused(answer: &(u16, Value, Duration), status: u16, code: &str) -> String {
    let (got, body, took) = answer;
    assert_eq!((*got, &body["error"]["code"]), (status, &Value::from(code)), "{body}");
    eprintln!("refused in {took:?}: {body}");
    assert!(*took < Duration::from_millis(500), "refused after {took:?}: {body}");
    body["error"]["message"].as_str().unwrap().to_string()
}

#[test]
fn components_that_are_not_plugins_are_refused_before_compiling() {
    let (server, author) = server_with_one_plugin("uploads-refused");

    // Another world's component, with megabytes of code: the export says
    // it is not a plugin, so none of that code is compiled.
    let stranger = "package test:stranger;\ninterface greeter { greet: func(name: string) -> string; }\nworld stranger { export greeter; }";
    let stranger =
        sopline_tests::with_dead_code(&sopline_tests::component_for_world(stranger, "stranger").unwrap(), DEAD_CODE);
    let message = refused(&upload(&server, &author, stranger), 422, "invalid_plugin");
    assert!(
        message.contains("does not export `sopline:sop/plugin") && message.contains("test:stranger/greeter"),
        "{message}"
    );

    // The plugin contract at a version this host does not know.
    let future = "package sopline:sop@0.9.0;\ninterface plugin { manifest: func() -> string; }\nworld sop-plugin { export plugin; }";
    let future =
        sopline_tests::with_dead_code(&sopline_tests::component_for_world(future, "sop-plugin").unwrap(), DEAD_CODE);
    let message = refused(&upload(&server, &author, future), 422, "invalid_plugin");
    assert!(message.contains("built for sopline:sop@0.9.0; this host supports 0.1.0"), "{message}");

    // A plugin that imports WASI (plugins get no imports at all).
    let contract =
        std::fs::read_to_string(Path::new(sopline_tests::WORKSPACE_DIR).join("wit/since_v0.1.0/sop.wit")).unwrap();
    let impure = format!(
        "{contract}\nworld impure {{ import wasi:clocks/wall-clock@0.2.0; export plugin; }}\n\
         package wasi:clocks@0.2.0 {{ interface wall-clock {{ now: func() -> u64; }} }}\n"
    );
    let impure =
        sopline_tests::with_dead_code(&sopline_tests::component_for_world(&impure, "impure").unwrap(), DEAD_CODE);
    let message = refused(&upload(&server, &author, impure), 422, "invalid_plugin");
    assert!(message.contains("imports `wasi:clocks/wall-clock@0.2.0`"), "{message}");

    // A core module, as `cargo build` makes, rather than a component.
    let core = std::fs::read(sopline_tests::HOSTILE_CORE_MODULE).unwrap();
    let message = refused(&upload(&server, &author, core), 422, "invalid_plugin");
    assert!(message.contains("core wasm module, not a component"), "{message}");

    // Nothing of the above was stored.
    let (status, list) = author.get(&server.url("/api/v1/plugins"));
    assert_eq!(status, 200);
    let ids: Vec<&str> = list["plugins"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["property"], "{list}");
}

#[test]
fn a_body_over_the_size_limit_answers_json_413() {
    let (server, author) = server_with_one_plugin("uploads-413");
    let answer = upload(&server, &author, vec![0u8; 40 << 20]);
    let message = refused(&answer, 413, "too_large");
    assert!(message.contains("MiB"), "the limit is stated: {message}");
}

#[test]
fn real_plugins_uploaded_at_the_same_time_all_load() {
    let (server, author) = server_with_one_plugin("uploads-concurrent");
    let server = &server;
    let author = &author;
    let answers: Vec<(u16, Value, Duration)> = std::thread::scope(|scope| {
        let uploads: Vec<_> = ["bank", "gps", "ecommerce"]
            .into_iter()
            .map(|name| scope.spawn(move || upload(server, author, std::fs::read(plugin(name)).unwrap())))
            .collect();
        uploads.into_iter().map(|u| u.join().unwrap()).collect()
    });
    for (status, body, _) in &answers {
        assert_eq!(*status, 201, "{body}");
    }
    let mut ids: Vec<&str> = answers.iter().map(|(_, body, _)| body["id"].as_str().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, ["bank", "ecommerce", "gps"]);
    let (_, list) = author.get(&server.url("/api/v1/plugins"));
    assert_eq!(list["plugins"].as_array().unwrap().len(), 4, "{list}");
}
