use std::path::PathBuf;
use std::process::ExitCode;

use super::PluginDir;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Check every department and calendar; print each error as file:line:col.
    Check {
        /// The rules folder.
        #[arg(default_value = "rules")]
        dir: PathBuf,
        #[command(flatten)]
        plugins: PluginDir,
    },
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    let Command::Check { dir, plugins } = cmd;
    match crate::load_engine(&dir, &plugins.dir) {
        Ok(engine) => {
            for d in engine.departments() {
                println!("{}: {} → {} on {}", d.id, d.name, d.plugin.id_version(), d.calendar.name());
            }
            println!("{}: ok", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{e:#}");
            Ok(ExitCode::FAILURE)
        }
    }
}
