//! The browser console in a real headless Chromium against a real server:
//! `host/console/tests/e2e.mjs` (playwright-core) drives it as an agent (the
//! whole property SOP, a contact started with the form), a supervisor (the
//! server's statistics), an admin (swap, migration, calendar, disabling a
//! user, whose console is signed out at once), an agent of another
//! department, and signing out (the token is revoked).
//!
//! Needs Node.js, Debian's `chromium` (`apt-get install chromium
//! chromium-driver fonts-noto-cjk`) and `npm ci` in `host/console/tests/`
//! (run here when `node_modules` is missing). It fails, rather than skips,
//! when they are missing: a console nobody tested is not a tested console.
//! Screenshots go to `target/test-tmp/…/screenshots`, or to
//! `$SOPLINE_SCREENSHOTS` (e.g. `docs/screenshots`) when set.

mod support;

use std::process::Command;

use support::{Server, rules, sopline, sqlite_db, tempdir, workspace};

/// Creates a user with a password the browser can sign in with.
fn user(db: &str, name: &str, role: &str, departments: &[&str], password: &str) -> String {
    let mut cmd = sopline();
    cmd.args(["user", "add", "--db", db, "--name", name, "--role", role, "--password", password]);
    for d in departments {
        cmd.args(["--department", d]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "user add {name}: {}", String::from_utf8_lossy(&out.stderr));
    format!("{name}:{password}")
}

fn ready(program: &str, hint: &str) {
    let found = Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(found, "`{program}` is needed for the console's browser test: {hint}");
}

#[test]
fn console_in_a_real_browser() {
    ready("node", "install Node.js 18 or newer");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "{chromium} is needed for the console's browser test: apt-get install -y chromium chromium-driver fonts-noto-cjk"
    );
    let tests = workspace().join("host/console/tests");
    if !tests.join("node_modules/playwright-core/package.json").exists() {
        let status =
            Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&tests).status().expect("npm");
        assert!(status.success(), "npm ci in {} failed", tests.display());
    }

    // The answer deadline (3 rings of 3 s) passes within the test, and a
    // return visit falls due 3 s after a resolution. Every department runs on
    // the test calendar `always`; the admin switches one to `cn-mainland`.
    let rules =
        rules(&[("property-frontdesk", "ring_length", "\"3s\""), ("property-frontdesk", "visit_after", "\"3s\"")]);
    let db = sqlite_db("console");
    let server = Server::start(&db, &rules, "console");
    let agent = user(&db, "e2e-agent", "agent", &["property-frontdesk"], "agent-pass-1");
    let other = user(&db, "e2e-bank", "agent", &["bank-service"], "bank-pass-1");
    let supervisor = user(&db, "e2e-supervisor", "supervisor", &["property-frontdesk", "bank-service"], "super-pass-1");
    let admin = user(&db, "e2e-admin", "admin", &[], "admin-pass-1");

    let shots = match std::env::var("SOPLINE_SCREENSHOTS") {
        Ok(dir) if !dir.is_empty() => workspace().join(dir),
        _ => tempdir("console").join("screenshots"),
    };
    let out = Command::new("node")
        .arg(tests.join("e2e.mjs"))
        .arg(&server.base)
        .arg(format!("agent={agent}"))
        .arg(format!("other={other}"))
        .arg(format!("supervisor={supervisor}"))
        .arg(format!("admin={admin}"))
        .arg(format!("screenshots={}", shots.display()))
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(out.status.success(), "the browser test failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    for name in [
        "agent-contact.png",
        "agent-new-contact.png",
        "agent-violation.png",
        "agent-deadline-missed.png",
        "supervisor.png",
        "admin.png",
        "admin-users.png",
    ] {
        assert!(shots.join(name).exists(), "no screenshot {name}");
    }
}
