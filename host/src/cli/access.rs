//! `sopline user …` and `sopline token …`: users and their tokens, changed
//! straight in the database. Servers running on it refuse a revoked token
//! or a disabled user at their next request (see `server::auth`).

use std::process::ExitCode;

use crate::server::auth::manage::{self, Actor};
use crate::server::auth::{self, Lifetime};
use crate::server::store::{Store, TokenRow, now_ms};

const DB_HELP: &str = "sqlite://FILE or postgres://USER@HOST/DB";

#[derive(clap::Args)]
pub struct UserArgs {
    #[arg(long, env = "SOPLINE_DB", default_value = "sqlite://sopline.db", help = DB_HELP)]
    db: String,
    #[arg(long)]
    name: String,
    /// agent, supervisor, admin or author.
    #[arg(long)]
    role: String,
    /// A department the user works for (repeat for several).
    #[arg(long = "department")]
    departments: Vec<String>,
    /// For logging in to the console (at least 8 characters); read from SOPLINE_PASSWORD if set.
    #[arg(long, env = "SOPLINE_PASSWORD")]
    password: Option<String>,
}

#[derive(clap::Args)]
pub struct NameArgs {
    #[arg(long, env = "SOPLINE_DB", default_value = "sqlite://sopline.db", help = DB_HELP)]
    db: String,
    #[arg(long)]
    name: String,
}

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Create a user (or change its role, departments, password).
    Add(UserArgs),
    /// Refuse a user's logins and tokens until they are enabled again.
    Disable(NameArgs),
    /// Let a disabled user in again (their unexpired tokens work again).
    Enable(NameArgs),
    /// Delete a user and revoke their tokens (the log keeps their name).
    Delete(NameArgs),
}

#[derive(clap::Args)]
pub struct CreateArgs {
    #[command(flatten)]
    user: UserArgs,
    /// How long the token works: e.g. 30d, 12h, or `never` (only if you mean it).
    #[arg(long, default_value = "90d", value_parser = Lifetime::parse)]
    expires_in: Lifetime,
}

#[derive(clap::Args)]
pub struct ListArgs {
    #[arg(long, env = "SOPLINE_DB", default_value = "sqlite://sopline.db", help = DB_HELP)]
    db: String,
    /// Only this user's tokens.
    #[arg(long)]
    user: Option<String>,
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["id", "user"])))]
pub struct RevokeArgs {
    #[arg(long, env = "SOPLINE_DB", default_value = "sqlite://sopline.db", help = DB_HELP)]
    db: String,
    /// One token, by the id `sopline token list` shows.
    #[arg(long)]
    id: Option<String>,
    /// Every token of this user.
    #[arg(long)]
    user: Option<String>,
}

#[derive(clap::Subcommand)]
pub enum TokenCommand {
    /// Create the user if needed and print a new bearer token on stdout.
    Create(CreateArgs),
    /// List tokens (ids, never the tokens) with their expiry and status.
    List(ListArgs),
    /// Revoke a token, or all of a user's.
    Revoke(RevokeArgs),
}

async fn add_user(args: &UserArgs) -> anyhow::Result<(Store, String)> {
    let store = Store::open(&args.db).await?;
    let existing = store.user(&args.name).await?;
    let role_or_departments_given = existing.is_none() || !args.departments.is_empty();
    let departments = if role_or_departments_given {
        args.departments.clone()
    } else {
        existing.map(|u| u.departments).unwrap_or_default()
    };
    let user =
        crate::server::api::users::new_user(&store, &args.name, &args.role, &departments, args.password.as_deref())
            .await
            .map_err(anyhow::Error::msg)?;
    store
        .audit("cli", "user", &user.name, serde_json::json!({ "role": user.role, "departments": user.departments }))
        .await?;
    Ok((store, user.name))
}

pub fn user(cmd: UserCommand) -> anyhow::Result<ExitCode> {
    super::server::runtime()?.block_on(async {
        match cmd {
            UserCommand::Add(args) => {
                let (_, name) = add_user(&args).await?;
                eprintln!("user {name} saved ({})", args.role);
            }
            UserCommand::Disable(args) => {
                manage::set_disabled(&Store::open(&args.db).await?, Actor::Cli, &args.name, true).await?;
                eprintln!("user {} disabled: their logins and tokens are refused", args.name);
            }
            UserCommand::Enable(args) => {
                manage::set_disabled(&Store::open(&args.db).await?, Actor::Cli, &args.name, false).await?;
                eprintln!("user {} enabled", args.name);
            }
            UserCommand::Delete(args) => {
                let revoked = manage::delete_user(&Store::open(&args.db).await?, Actor::Cli, &args.name).await?;
                eprintln!("user {} deleted; {revoked} token(s) revoked", args.name);
            }
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn token(cmd: TokenCommand) -> anyhow::Result<ExitCode> {
    super::server::runtime()?.block_on(async {
        match cmd {
            TokenCommand::Create(args) => {
                let (store, name) = add_user(&args.user).await?;
                let (token, id) = auth::issue_token(&store, &name, "api", args.expires_in).await?;
                store.audit("cli", "token", &name, serde_json::json!({ "token": id })).await?;
                println!("{token}");
            }
            TokenCommand::List(args) => {
                let store = Store::open(&args.db).await?;
                let tokens = store.tokens(args.user.as_deref()).await?;
                print!("{}", table(&tokens, now_ms()));
            }
            TokenCommand::Revoke(args) => {
                let store = Store::open(&args.db).await?;
                if let Some(id) = &args.id {
                    let token = manage::revoke_token(&store, Actor::Cli, id).await?;
                    eprintln!("token {} of {} revoked", token.id, token.user);
                }
                if let Some(user) = &args.user {
                    let revoked = manage::revoke_tokens(&store, Actor::Cli, user).await?;
                    eprintln!("{revoked} token(s) of {user} revoked");
                }
            }
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Tokens as a table, one per line, with a header.
fn table(tokens: &[TokenRow], now: i64) -> String {
    let time = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms).map(|t| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string()).unwrap_or_default()
    };
    let mut out = format!("{:<14}{:<20}{:<7}{:<22}{:<22}STATUS\n", "ID", "USER", "KIND", "CREATED", "EXPIRES");
    for t in tokens {
        let status = match (t.revoked_at, t.expires_at) {
            (Some(_), _) => "revoked",
            (None, Some(at)) if at <= now => "expired",
            _ => "active",
        };
        let expires = t.expires_at.map_or_else(|| "never".to_string(), time);
        out.push_str(&format!(
            "{:<14}{:<20}{:<7}{:<22}{:<22}{status}\n",
            t.id,
            t.user,
            t.kind,
            time(t.created_at),
            expires
        ));
    }
    out
}
