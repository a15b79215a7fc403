//! `sopline-load`: drives a running `sopline serve` over HTTP with N
//! concurrent connections, each running property complaint lifecycles
//! (open, answer, greet, take the room, hang up, hand off to engineering,
//! tell the owner, check with engineering, resolve, return visit, close),
//! and prints requests, events/s, latency percentiles and failures.
//!
//! ```text
//! sopline token create --db sqlite:///tmp/load.db --role agent --name load --department property-frontdesk
//! sopline-load --url http://127.0.0.1:8080 --token sop_… --connections 64 --duration 30s
//! sopline-load … --open-only --contacts 1000000   # only POST /contacts (pending deadlines)
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use hdrhistogram::Histogram;
use serde_json::{Value, json};

#[derive(Parser, Debug, Clone)]
#[command(name = "sopline-load", about = "Load a running sopline server with contact lifecycles")]
struct Args {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// A bearer token of an agent of the department.
    #[arg(long, env = "SOPLINE_TOKEN")]
    token: String,
    /// Concurrent connections (one task each, every one running lifecycles back to back).
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// How long to run (e.g. 30s, 2m). Ignored when --contacts is given.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    duration: Duration,
    /// Run this many contact lifecycles in all, then stop.
    #[arg(long)]
    contacts: Option<u64>,
    /// The department the contacts are opened in.
    #[arg(long, default_value = "property-frontdesk")]
    department: String,
    /// Only open contacts (POST /contacts), no further events: leaves each
    /// contact with its pending `answer` deadline.
    #[arg(long)]
    open_only: bool,
    /// Start at most this many lifecycles per second, on a fixed schedule
    /// (0: as fast as the server answers). With --open-only this sets the
    /// rate at which the contacts' deadlines later fall due.
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Print progress every this many seconds (0: never).
    #[arg(long, default_value_t = 5)]
    progress: u64,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (num, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(text.len()));
    let n: f64 = num.parse().map_err(|_| format!("`{text}`: expected e.g. 30s, 2m, 500ms"))?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("`{text}`: unknown unit `{unit}` (ms, s, m, h)")),
    };
    Ok(Duration::from_secs_f64(secs))
}

/// The events after `opened`, in order (from `tests/scenarios/property/complaint_kept.jsonl`).
fn lifecycle(agent: &str) -> Vec<Value> {
    vec![
        json!({"type": "answered", "agent": agent, "rings": 2}),
        json!({"type": "message", "from": "agent", "agent": agent, "text": "您好,欢迎致电红树西岸管理处前台客服,请问有什么可以帮助您!"}),
        json!({"type": "message", "from": "customer", "text": "楼上6栋1303早上七点就开始装修,吵得没法休息!"}),
        json!({"type": "message", "from": "agent", "agent": agent, "text": "您好,请问您贵姓?"}),
        json!({"type": "field_set", "name": "room", "value": "3栋201"}),
        json!({"type": "message", "from": "agent", "agent": agent, "text": "王先生,请您别着急,您反映的情况我已经详细记录下来了,我们一定尽快为您处理,1小时内给您回复。"}),
        json!({"type": "ended", "agent": agent}),
        json!({"type": "handed_off", "agent": agent, "to": "工程部"}),
        json!({"type": "customer_notified", "agent": agent}),
        json!({"type": "department_checked", "agent": agent, "note": "工程部已上门要求6栋1303按规定时间施工"}),
        json!({"type": "resolved", "agent": agent, "on_first_contact": false}),
        json!({"type": "callback_attempted", "agent": agent, "outcome": "satisfied", "callback": "visit-1"}),
        json!({"type": "closed", "agent": agent}),
    ]
}

#[derive(Default)]
struct Tally {
    ok: u64,
    /// Failures by HTTP status (0 = no answer: connection error or timeout).
    failures: BTreeMap<u16, u64>,
    /// The first few failures, to show what went wrong.
    samples: Vec<String>,
    contacts: u64,
    hist: Option<Histogram<u64>>,
}

struct Shared {
    client: reqwest::Client,
    base: String,
    auth: String,
    department: String,
    /// The token's user: the server records events as the caller, so the
    /// lifecycles name them.
    agent: String,
    open_only: bool,
    stop: AtomicBool,
    /// Lifecycles started so far (to stop at --contacts).
    started: AtomicU64,
    limit: Option<u64>,
    requests: AtomicU64,
    /// Lifecycle k starts no earlier than `begun + k / rate`.
    rate: f64,
    begun: Instant,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(60))
        .build()?;
    let base = args.url.trim_end_matches('/').to_string();
    let auth = format!("Bearer {}", args.token);
    let me: Value = client.get(format!("{base}/api/v1/me")).header("authorization", &auth).send().await?.json().await?;
    let agent = me["name"].as_str().ok_or_else(|| anyhow::anyhow!("GET /api/v1/me: no user for the token ({me})"))?;
    let shared = Arc::new(Shared {
        client,
        base,
        auth,
        agent: agent.to_string(),
        department: args.department.clone(),
        open_only: args.open_only,
        stop: AtomicBool::new(false),
        started: AtomicU64::new(0),
        limit: args.contacts,
        requests: AtomicU64::new(0),
        rate: args.rate,
        begun: Instant::now(),
    });
    let begun = shared.begun;
    let mut tasks = Vec::new();
    for worker in 0..args.connections {
        tasks.push(tokio::spawn(run_worker(shared.clone(), worker)));
    }
    let deadline = args.contacts.is_none().then(|| begun + args.duration);
    let reporter = {
        let shared = shared.clone();
        let every = args.progress;
        tokio::spawn(async move {
            let mut last = (Instant::now(), 0u64);
            loop {
                let tick = if every == 0 { Duration::from_millis(200) } else { Duration::from_secs(every) };
                tokio::time::sleep(tick).await;
                if let Some(d) = deadline
                    && Instant::now() >= d
                {
                    shared.stop.store(true, Ordering::Relaxed);
                    return;
                }
                if every > 0 {
                    let n = shared.requests.load(Ordering::Relaxed);
                    let now = Instant::now();
                    let rate = (n - last.1) as f64 / (now - last.0).as_secs_f64();
                    eprintln!(
                        "[{:>6.1}s] {n} requests, {rate:.0}/s, {} contacts started",
                        begun.elapsed().as_secs_f64(),
                        shared.started.load(Ordering::Relaxed)
                    );
                    last = (now, n);
                }
            }
        })
    };
    let mut total = Tally { hist: Some(new_hist()), ..Tally::default() };
    for task in tasks {
        let t = task.await?;
        total.ok += t.ok;
        total.contacts += t.contacts;
        for (status, n) in t.failures {
            *total.failures.entry(status).or_default() += n;
        }
        for s in t.samples {
            if total.samples.len() < 5 {
                total.samples.push(s);
            }
        }
        if let (Some(h), Some(th)) = (total.hist.as_mut(), t.hist.as_ref()) {
            h.add(th)?;
        }
    }
    let elapsed = begun.elapsed().as_secs_f64();
    reporter.abort();
    let h = total.hist.as_ref().expect("histogram");
    let failed: u64 = total.failures.values().sum();
    let ms = |v: u64| v as f64 / 1000.0;
    println!("connections        {}", args.connections);
    println!("elapsed            {elapsed:.2} s");
    println!("contacts completed {} ({:.0}/s)", total.contacts, total.contacts as f64 / elapsed);
    println!("requests           {} ({} ok, {failed} failed)", total.ok + failed, total.ok);
    println!("events/s           {:.0}  (2xx requests per second: opens + events)", total.ok as f64 / elapsed);
    println!(
        "latency ms         p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}  mean {:.2}",
        ms(h.value_at_quantile(0.50)),
        ms(h.value_at_quantile(0.90)),
        ms(h.value_at_quantile(0.99)),
        ms(h.value_at_quantile(0.999)),
        ms(h.max()),
        h.mean() / 1000.0
    );
    if failed > 0 {
        let by: Vec<String> = total
            .failures
            .iter()
            .map(|(s, n)| if *s == 0 { format!("no answer: {n}") } else { format!("{s}: {n}") })
            .collect();
        println!("failures by status {}", by.join(", "));
        for s in &total.samples {
            println!("  e.g. {s}");
        }
        std::process::exit(1);
    }
    Ok(())
}

fn new_hist() -> Histogram<u64> {
    // Microseconds, 1 µs to 120 s, 3 significant digits.
    Histogram::new_with_bounds(1, 120_000_000, 3).expect("histogram bounds")
}

async fn run_worker(shared: Arc<Shared>, worker: usize) -> Tally {
    let mut tally = Tally { hist: Some(new_hist()), ..Tally::default() };
    let events = lifecycle(&shared.agent);
    let open_url = format!("{}/api/v1/contacts", shared.base);
    let mut serial = 0u64;
    'contacts: loop {
        if shared.stop.load(Ordering::Relaxed) {
            break;
        }
        let k = shared.started.fetch_add(1, Ordering::Relaxed);
        if shared.limit.is_some_and(|limit| k >= limit) {
            break;
        }
        if shared.rate > 0.0 {
            tokio::time::sleep_until((shared.begun + Duration::from_secs_f64(k as f64 / shared.rate)).into()).await;
        }
        serial += 1;
        let open = json!({
            "department": shared.department,
            "channel": "phone",
            "category": "complaint",
            "customer": {"name": "王小明", "id": format!("owner-{worker}-{serial}"), "phone": "13800000007", "gender": "male"},
            "fields": {"room": "5栋1203"},
        });
        let Some(answer) = send(&shared, &mut tally, &open_url, &open).await else { continue };
        if shared.open_only {
            tally.contacts += 1;
            continue;
        }
        let Some(id) = answer.get("id").and_then(Value::as_str) else {
            record_failure(&mut tally, 0, format!("POST /contacts answered without an id: {answer}"));
            continue;
        };
        let url = format!("{}/api/v1/contacts/{id}/events", shared.base);
        for event in &events {
            // A started lifecycle runs to its end even after --duration, so
            // every contact is left closed; only new ones stop.
            if send(&shared, &mut tally, &url, event).await.is_none() {
                continue 'contacts;
            }
        }
        tally.contacts += 1;
    }
    tally
}

/// Posts one request and records it; the answer body if it was 2xx.
async fn send(shared: &Shared, tally: &mut Tally, url: &str, body: &Value) -> Option<Value> {
    let started = Instant::now();
    let result = shared.client.post(url).header("authorization", &shared.auth).json(body).send().await;
    let outcome = match result {
        Ok(response) => {
            let status = response.status();
            let text = response.text().await;
            match text {
                Ok(text) if status.is_success() => Ok(text),
                Ok(text) => Err((status.as_u16(), format!("{status} for {} {body}: {text}", path_of(url)))),
                Err(e) => Err((0, format!("reading the answer to {}: {e}", path_of(url)))),
            }
        }
        Err(e) => Err((e.status().map_or(0, |s| s.as_u16()), format!("{}: {e}", path_of(url)))),
    };
    let micros = started.elapsed().as_micros() as u64;
    shared.requests.fetch_add(1, Ordering::Relaxed);
    match outcome {
        Ok(text) => {
            tally.ok += 1;
            if let Some(h) = tally.hist.as_mut() {
                h.saturating_record(micros.max(1));
            }
            Some(serde_json::from_str(&text).unwrap_or(Value::Null))
        }
        Err((status, sample)) => {
            record_failure(tally, status, sample);
            None
        }
    }
}

fn record_failure(tally: &mut Tally, status: u16, sample: String) {
    *tally.failures.entry(status).or_default() += 1;
    if tally.samples.len() < 3 {
        tally.samples.push(sample);
    }
}

fn path_of(url: &str) -> &str {
    url.find("/api/").map_or(url, |i| &url[i..])
}
