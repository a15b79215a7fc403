//! Telling running servers that access changed (a token revoked, a user
//! disabled, deleted or given another role), whichever process changed it:
//! a server handling an admin's request, or `sopline token|user …` run
//! against the same database while servers run.
//!
//! - SQLite: a sidecar file next to the database (`FILE-access`) holds 8
//!   bytes that every change overwrites with fresh random bytes once its
//!   transaction committed. A server reads them (one `pread`, no query)
//!   before it trusts its token cache, so the cache is dropped before the
//!   first request that follows a change (see `server::auth`).
//! - PostgreSQL: `NOTIFY sopline_access` once the change committed. Servers
//!   there cache no tokens; the notice only wakes their open event streams
//!   so those re-check their token at once.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;

use anyhow::Context as _;

use super::{Backend, Store};

/// The PostgreSQL channel access changes are announced on.
pub const CHANNEL: &str = "sopline_access";

/// The SQLite sidecar's current 8 bytes, read without a query.
pub struct AccessCounter {
    file: File,
}

impl AccessCounter {
    /// The counter's value, or `None` if it cannot be read (then nothing
    /// cached may be trusted).
    pub fn read(&self) -> Option<u64> {
        let mut bytes = [0u8; 8];
        read_at(&self.file, &mut bytes).ok()?;
        Some(u64::from_le_bytes(bytes))
    }
}

#[cfg(unix)]
fn read_at(file: &File, bytes: &mut [u8; 8]) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, 0)
}

#[cfg(not(unix))]
fn read_at(file: &File, bytes: &mut [u8; 8]) -> std::io::Result<()> {
    use std::io::{Read, Seek};
    let mut file = file.try_clone()?;
    file.seek(std::io::SeekFrom::Start(0))?;
    file.read_exact(bytes)
}

fn write_random(path: &PathBuf) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    // One write of 8 bytes at offset 0: a reader sees the old or the new
    // value (or, at worst, a torn mix, which also differs from what it saw).
    let mut file = OpenOptions::new().write(true).create(true).truncate(false).open(path)?;
    file.write_all(&bytes)?;
    Ok(())
}

impl Store {
    /// The sidecar file of a SQLite database.
    fn access_file(&self) -> anyhow::Result<Option<PathBuf>> {
        if self.backend() != Backend::Sqlite {
            return Ok(None);
        }
        let options: sqlx::sqlite::SqliteConnectOptions = self.url().parse()?;
        let mut name = options.get_filename().as_os_str().to_owned();
        name.push("-access");
        Ok(Some(PathBuf::from(name)))
    }

    /// Opens the SQLite sidecar for reading (creating it if needed); `None` on PostgreSQL.
    pub fn access_counter(&self) -> anyhow::Result<Option<AccessCounter>> {
        let Some(path) = self.access_file()? else { return Ok(None) };
        let opening = || format!("cannot open {}", path.display());
        if std::fs::metadata(&path).map(|m| m.len() < 8).unwrap_or(true) {
            write_random(&path).with_context(opening)?;
        }
        Ok(Some(AccessCounter { file: File::open(&path).with_context(opening)? }))
    }

    /// Announces a committed change of access to every server on this database.
    pub(super) async fn announce_access_change(&self) -> anyhow::Result<()> {
        match self.access_file()? {
            Some(path) => write_random(&path).with_context(|| {
                format!(
                    "the change is saved, but running servers could not be told ({}); they notice within 30 s",
                    path.display()
                )
            }),
            None => {
                // Sent as a simple query: no statement to prepare, no row to decode.
                sqlx::Executor::execute(self.pool(), format!("NOTIFY {CHANNEL}").as_str()).await?;
                Ok(())
            }
        }
    }
}
