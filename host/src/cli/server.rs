//! `sopline serve` and `sopline demo`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::server::auth::login::LoginSettings;
use crate::server::{self, Options, auth};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// `sqlite://FILE` (created if missing) or `postgres://USER@HOST/DB` for several nodes.
    #[arg(long, env = "SOPLINE_DB", default_value = "sqlite://sopline.db")]
    db: String,
    #[arg(long, env = "SOPLINE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[arg(long, default_value = "rules")]
    rules: PathBuf,
    #[command(flatten)]
    plugins: super::PluginDir,
    /// This node's name (default: a random one).
    #[arg(long, env = "SOPLINE_NODE")]
    node: Option<String>,
    /// How long a node holds a claimed timer before others may take it over.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    lease: Duration,
    /// How long a console login lasts before its token expires (e.g. 8h, 1d).
    #[arg(long, env = "SOPLINE_SESSION_TTL", default_value = "12h", value_parser = parse_session_ttl)]
    session_ttl: Duration,
    /// Take the client address of a login from `X-Forwarded-For` (the last
    /// address, the one your reverse proxy appended). Only behind a proxy
    /// that sets it: otherwise a client could pick any address.
    #[arg(long, env = "SOPLINE_TRUST_PROXY")]
    trust_proxy: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

/// What HTTP clients may hold open (see `server::http`).
#[derive(clap::Args)]
pub struct LimitArgs {
    /// How long a client may take to send a request's headers, from their
    /// first byte (or from connecting); a client that stalls is disconnected.
    #[arg(long, env = "SOPLINE_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_positive_duration)]
    header_timeout: Duration,
    /// How long a keep-alive connection may wait for its next request.
    #[arg(long, env = "SOPLINE_IDLE_TIMEOUT", default_value = "75s", value_parser = parse_positive_duration)]
    idle_timeout: Duration,
    /// Open connections at most (default: the open-file limit, `ulimit -n`,
    /// minus 64 kept for the database and files). Over it, the connection
    /// stalled longest is closed, or with all busy the newcomer gets a 503.
    #[arg(long, env = "SOPLINE_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: Option<u32>,
}

impl LimitArgs {
    fn limits(&self) -> server::http::Limits {
        server::http::Limits {
            header_timeout: self.header_timeout,
            idle_timeout: self.idle_timeout,
            max_connections: self
                .max_connections
                .map_or_else(server::http::Limits::max_connections_for_descriptors, |n| n as usize),
        }
    }
}

#[derive(clap::Args)]
pub struct DemoArgs {
    /// A fresh SQLite file (deleted first).
    #[arg(long, default_value = "sqlite://target/demo/sopline-demo.db")]
    db: String,
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[arg(long, default_value = "rules")]
    rules: PathBuf,
    #[command(flatten)]
    plugins: super::PluginDir,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let span = sopline_sdk::span::parse(text)?;
    Ok(Duration::from_secs(span.days as u64 * 86_400 + span.seconds as u64))
}

fn parse_session_ttl(text: &str) -> Result<Duration, String> {
    match parse_duration(text)? {
        d if d.is_zero() => Err("a session must last longer than 0 s (e.g. 8h, 12h, 1d)".into()),
        d => Ok(d),
    }
}

fn parse_positive_duration(text: &str) -> Result<Duration, String> {
    let duration = parse_duration(text)?;
    if duration.is_zero() { Err("must be at least 1s".into()) } else { Ok(duration) }
}

pub(super) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

pub fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let node = args.node.unwrap_or_else(|| format!("node-{}", auth::random_hex(3)));
    let options = Options {
        db: args.db,
        listen: args.listen,
        rules: args.rules,
        plugins: args.plugins.plugin_dir,
        node,
        lease: args.lease,
        login: LoginSettings { session_ttl: args.session_ttl, trust_proxy: args.trust_proxy },
        limits: args.limits.limits(),
    };
    runtime()?.block_on(server::serve(options))?;
    Ok(ExitCode::SUCCESS)
}

pub fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let options = Options {
        db: args.db,
        listen: args.listen,
        rules: args.rules,
        plugins: args.plugins.plugin_dir,
        node: "demo".into(),
        lease: Duration::from_secs(5),
        login: LoginSettings::default(),
        limits: server::http::Limits::default(),
    };
    runtime()?.block_on(server::demo::run(options))?;
    Ok(ExitCode::SUCCESS)
}
