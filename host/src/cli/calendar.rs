use std::path::PathBuf;
use std::process::ExitCode;

use crate::calendar::Calendar;

#[derive(clap::Subcommand)]
pub enum Command {
    /// When a business-time duration started at --start ends.
    Due {
        /// The calendar file.
        #[arg(long)]
        calendar: PathBuf,
        /// RFC 3339 start, e.g. 2026-02-13T17:00:00+08:00.
        #[arg(long)]
        start: String,
        /// Working time: "3h", "90m", "2d", "1d4h".
        #[arg(long)]
        business: String,
    },
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    let Command::Due { calendar, start, business } = cmd;
    let calendar = Calendar::load(&calendar)?;
    let start = crate::event::parse_time(&start).map_err(|e| anyhow::anyhow!("--start: {e}"))?;
    let span = sopline_sdk::span::parse(&business).map_err(|e| anyhow::anyhow!("--business: {e}"))?;
    let due = calendar.add_business(start, span)?;
    println!("{}", calendar.format(due));
    Ok(ExitCode::SUCCESS)
}
