//! Starting real `sopline serve` processes for the server tests: on a SQLite
//! file or a fresh PostgreSQL database, with rules whose deadlines are
//! seconds long so tests can watch them fire.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A fresh, empty folder under the target dir.
pub fn tempdir(name: &str) -> PathBuf {
    let dir = workspace().join("target").join("test-tmp").join(format!("{name}-{}-{}", std::process::id(), unique()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    t % 1_000_000_000 + N.fetch_add(1, Ordering::SeqCst)
}

/// A copy of the repository's rules in which each `(department, key, value)`
/// parameter is overridden, plus a calendar `always` (open around the clock)
/// that every department uses, so business-time deadlines are plain seconds.
pub fn rules(overrides: &[(&str, &str, &str)]) -> PathBuf {
    let dir = tempdir("rules");
    std::fs::create_dir_all(dir.join("departments")).unwrap();
    std::fs::create_dir_all(dir.join("calendars")).unwrap();
    let src = workspace().join("rules");
    for entry in std::fs::read_dir(src.join("calendars")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join("calendars").join(path.file_name().unwrap())).unwrap();
    }
    let day = r#"["00:00-24:00"]"#;
    std::fs::write(
        dir.join("calendars/always.toml"),
        format!("name = \"always\"\ntimezone = \"Asia/Shanghai\"\n[hours]\nmon = {day}\ntue = {day}\nwed = {day}\nthu = {day}\nfri = {day}\nsat = {day}\nsun = {day}\n"),
    )
    .unwrap();
    for entry in std::fs::read_dir(src.join("departments")).unwrap() {
        let path = entry.unwrap().path();
        let id = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut doc: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
        doc.insert("calendar".into(), "always".into());
        let params =
            doc.entry("params").or_insert_with(|| toml::Value::Table(Default::default())).as_table_mut().unwrap();
        for (dept, key, value) in overrides {
            if *dept == id {
                let value: toml::Value = toml::from_str::<toml::Table>(&format!("v = {value}")).unwrap()["v"].clone();
                params.insert(key.to_string(), value);
            }
        }
        std::fs::write(dir.join("departments").join(path.file_name().unwrap()), toml::to_string(&doc).unwrap())
            .unwrap();
    }
    dir
}

/// The binary, as cargo built it for these tests, with the plugins built
/// from source. `SOPLINE_TEST_BIN` runs the tests against another build
/// (e.g. an older one, to see a test fail before its fix).
pub fn sopline() -> Command {
    let bin = std::env::var("SOPLINE_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_sopline").to_string());
    let mut cmd = Command::new(bin);
    cmd.current_dir(workspace()).env("SOPLINE_PLUGINS", sopline_tests::PLUGIN_DIR);
    cmd
}

/// A `sqlite://` URL for a new file.
pub fn sqlite_db(name: &str) -> String {
    format!("sqlite://{}", tempdir(name).join("sopline.db").display())
}

/// A fresh PostgreSQL database on the machine's server (127.0.0.1:5432,
/// user postgres). Fails loudly when PostgreSQL is not running: these tests
/// are about PostgreSQL and must not pass without it.
pub fn postgres_db(name: &str) -> String {
    let base = std::env::var("SOPLINE_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let db = format!("sopline_{}_{}", name, unique());
    let out = Command::new("psql")
        .args([&format!("{base}/postgres"), "-v", "ON_ERROR_STOP=1", "-c", &format!("CREATE DATABASE {db}")])
        .output()
        .expect("psql is needed for the PostgreSQL tests");
    assert!(
        out.status.success(),
        "PostgreSQL is needed at {base} (start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!("{base}/{db}")
}

/// Creates (or updates) a user and returns a bearer token for it.
pub fn token(db: &str, role: &str, name: &str, departments: &[&str]) -> String {
    let mut cmd = sopline();
    cmd.args(["token", "create", "--db", db, "--role", role, "--name", name]);
    for d in departments {
        cmd.args(["--department", d]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "token create: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Creates (or updates) a user with a password, for logging in.
pub fn user(db: &str, role: &str, name: &str, departments: &[&str], password: &str) {
    let mut cmd = sopline();
    cmd.args(["user", "add", "--db", db, "--role", role, "--name", name, "--password", password]);
    for d in departments {
        cmd.args(["--department", d]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "user add {name}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Runs `sopline ARGS` and returns (success, stdout, stderr).
pub fn cli(args: &[&str]) -> (bool, String, String) {
    let out = sopline().args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `POST /api/v1/login`: the status, the `Retry-After` and `Cache-Control` headers, and the JSON body.
pub struct LoginAnswer {
    pub status: u16,
    pub retry_after: Option<u64>,
    pub cache_control: Option<String>,
    pub body: serde_json::Value,
}

pub fn login(server: &Server, name: &str, password: &str) -> LoginAnswer {
    login_from(server, name, password, None)
}

/// Logs in as if through a reverse proxy that saw the client at `forwarded_for`.
pub fn login_from(server: &Server, name: &str, password: &str, forwarded_for: Option<&str>) -> LoginAnswer {
    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let mut request =
        client.post(server.url("/api/v1/login")).json(&serde_json::json!({ "name": name, "password": password }));
    if let Some(address) = forwarded_for {
        request = request.header("X-Forwarded-For", address);
    }
    let r = request.send().unwrap();
    let header = |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (retry_after, cache_control) = (header("retry-after").and_then(|v| v.parse().ok()), header("cache-control"));
    let status = r.status().as_u16();
    LoginAnswer { status, retry_after, cache_control, body: r.json().unwrap_or(serde_json::Value::Null) }
}

/// How to start a node beyond the database, rules and name.
#[derive(Default)]
pub struct Launch<'a> {
    /// More `sopline serve` flags.
    pub extra: &'a [&'a str],
    /// `RLIMIT_NOFILE` for the server process (`ulimit -n`).
    pub open_files: Option<libc::rlim_t>,
    /// Where the server's log (stderr) goes instead of the test's output.
    pub log: Option<PathBuf>,
}

/// A running `sopline serve`.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub db: String,
    pub rules: PathBuf,
    pub node: String,
}

impl Server {
    /// Starts a node and waits until it listens.
    pub fn start(db: &str, rules: &Path, node: &str) -> Server {
        Server::start_with(db, rules, node, &[])
    }

    pub fn start_with(db: &str, rules: &Path, node: &str, extra: &[&str]) -> Server {
        Server::launch(db, rules, node, &Launch { extra, ..Launch::default() })
    }

    /// Starts a node as `how` says: flags, a file descriptor limit, a log file.
    pub fn launch(db: &str, rules: &Path, node: &str, how: &Launch) -> Server {
        let mut cmd = sopline();
        cmd.args(["serve", "--db", db, "--listen", "127.0.0.1:0", "--node", node, "--rules"])
            .arg(rules)
            .args(how.extra)
            .env("SOPLINE_LOG", std::env::var("SOPLINE_LOG").unwrap_or_else(|_| "warn".into()))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(log) = &how.log {
            cmd.stderr(std::fs::File::create(log).unwrap());
        }
        if let Some(limit) = how.open_files {
            use std::os::unix::process::CommandExt as _;
            // SAFETY: setrlimit is async-signal-safe and touches only the child.
            unsafe {
                cmd.pre_exec(move || {
                    let rlim = libc::rlimit { rlim_cur: limit, rlim_max: limit };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &rlim) == 0 {
                        Ok(())
                    } else {
                        Err(std::io::Error::last_os_error())
                    }
                });
            }
        }
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(at) = line.find("http://") {
                    let url = line[at..].split_whitespace().next().unwrap().to_string();
                    let _ = tx.send(url);
                }
            }
        });
        let base = rx.recv_timeout(Duration::from_secs(120)).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("sopline serve ({node}) did not start within 120 s")
        });
        Server { child, base, db: db.to_string(), rules: rules.to_path_buf(), node: node.to_string() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `kill -9`: no chance to finish anything.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM and wait for the graceful exit.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "no graceful exit within 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A blocking HTTP client with a bearer token.
pub struct Api {
    pub client: reqwest::blocking::Client,
    pub token: String,
}

impl Api {
    pub fn new(token: &str) -> Api {
        Api {
            client: reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().unwrap(),
            token: token.into(),
        }
    }

    pub fn get(&self, url: &str) -> (u16, serde_json::Value) {
        let r = self.client.get(url).bearer_auth(&self.token).send().unwrap();
        let status = r.status().as_u16();
        (status, r.json().unwrap_or(serde_json::Value::Null))
    }

    pub fn post(&self, url: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let r = self.client.post(url).bearer_auth(&self.token).json(body).send().unwrap();
        let status = r.status().as_u16();
        (status, r.json().unwrap_or(serde_json::Value::Null))
    }

    pub fn put(&self, url: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let r = self.client.put(url).bearer_auth(&self.token).json(body).send().unwrap();
        let status = r.status().as_u16();
        (status, r.json().unwrap_or(serde_json::Value::Null))
    }

    pub fn delete(&self, url: &str) -> (u16, serde_json::Value) {
        let r = self.client.delete(url).bearer_auth(&self.token).send().unwrap();
        let status = r.status().as_u16();
        (status, r.json().unwrap_or(serde_json::Value::Null))
    }
}

/// Polls `check` every 100 ms until it returns `Some`, or panics after `within`.
pub fn eventually<T>(within: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(started.elapsed() < within, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A live `GET /api/v1/stream` subscription: every outcome it delivers, with
/// the wall-clock time it arrived, read on a background thread; and when
/// the server closed it, with the `closed` event's data if it sent one.
pub struct Sse {
    events: std::sync::Arc<std::sync::Mutex<Vec<(std::time::SystemTime, serde_json::Value)>>>,
    closed: std::sync::Arc<std::sync::Mutex<Option<(Instant, serde_json::Value)>>>,
}

impl Sse {
    /// Subscribes (the token goes in the query, as a browser's EventSource does).
    pub fn connect(server: &Server, token: &str) -> Sse {
        let client = reqwest::blocking::Client::builder().timeout(None::<Duration>).build().unwrap();
        let response = client.get(server.url(&format!("/api/v1/stream?token={token}"))).send().unwrap();
        assert_eq!(response.status().as_u16(), 200, "the stream answers 200");
        let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let closed = std::sync::Arc::new(std::sync::Mutex::new(None));
        let (sink, end) = (events.clone(), closed.clone());
        std::thread::spawn(move || {
            let mut name = String::from("message");
            let mut last = serde_json::Value::Null;
            for line in BufReader::new(response).lines() {
                let Ok(line) = line else { break };
                if let Some(event) = line.strip_prefix("event:") {
                    name = event.trim().to_string();
                } else if let Some(data) = line.strip_prefix("data:") {
                    let value: serde_json::Value = serde_json::from_str(data.trim()).expect("stream data is JSON");
                    if name == "outcome" {
                        sink.lock().unwrap().push((std::time::SystemTime::now(), value));
                    } else {
                        last = value;
                    }
                } else if line.is_empty() {
                    name = String::from("message");
                }
            }
            *end.lock().unwrap() = Some((Instant::now(), last));
        });
        Sse { events, closed }
    }

    /// Everything received so far.
    pub fn events(&self) -> Vec<(std::time::SystemTime, serde_json::Value)> {
        self.events.lock().unwrap().clone()
    }

    /// When the server ended the stream, and the data of its last non-outcome event (`Null` if none).
    pub fn closed(&self) -> Option<(Instant, serde_json::Value)> {
        self.closed.lock().unwrap().clone()
    }
}

/// The server process's peak resident memory (`VmHWM`), in MiB.
pub fn peak_rss_mib(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM in /proc/PID/status");
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

/// Runs `sql` with psql against `db` and returns its unaligned, tuples-only output.
pub fn psql(db: &str, sql: &str) -> String {
    let out = Command::new("psql").args([db, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql]).output().expect("psql runs");
    assert!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// An RFC 3339 time from the API as an instant.
pub fn instant(text: &serde_json::Value) -> jiff::Timestamp {
    text.as_str().unwrap_or_else(|| panic!("{text} is not a time")).parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The property front desk, the department most tests work in.
pub const PROPERTY: &str = "property-frontdesk";

/// A property-management complaint, as the front desk opens it.
pub fn complaint(id: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "department": PROPERTY, "channel": "phone", "category": "complaint",
        "customer": {"id": "owner-7", "name": "王小明", "phone": "13800000007", "gender": "male"},
        "fields": {"room": "5栋1203"},
    })
}

/// A plugin folder with the four plugins and the hostile test guest, and
/// `rules` with a department `lab` bound to the hostile plugin (which traps,
/// spins or hoards memory on request; see `tests/guests/hostile`).
pub fn with_hostile_lab(rules: &Path) -> PathBuf {
    let dir = tempdir("plugins");
    for entry in std::fs::read_dir(sopline_tests::PLUGIN_DIR).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "wasm") {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::copy(sopline_tests::HOSTILE, dir.join("hostile.wasm")).unwrap();
    std::fs::write(
        rules.join("departments/lab.toml"),
        "name = \"实验室\"\nplugin = \"hostile\"\ncalendar = \"always\"\n",
    )
    .unwrap();
    dir
}

/// A consultation for the hostile `lab` department (see [`with_hostile_lab`]).
pub fn lab_contact(id: &str) -> serde_json::Value {
    serde_json::json!({"id": id, "department": "lab", "channel": "chat", "category": "consultation",
        "customer": {"name": "测试"}})
}

/// The p-th percentile (0–100) of durations.
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}
