//! The schema, one list of migrations for both databases. The few words that
//! differ between SQLite and PostgreSQL are placeholders filled per backend.

/// Migrations in order; each runs once, recorded in `schema_migrations`.
pub const MIGRATIONS: &[(i64, &str)] = &[(1, V1), (2, V2), (3, V3), (4, V4), (5, V5)];

/// The first line of a migration SQLite has no use for (it is recorded as
/// applied there without running).
pub const POSTGRES_ONLY: &str = "-- PostgreSQL only";

const V1: &str = r#"
-- The append-only log: every accepted event and every outcome it produced,
-- in commit order. The source of truth; the tables below are projections.
CREATE TABLE log (
    id {serial},
    contact_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    entry TEXT NOT NULL,
    kind TEXT NOT NULL,
    agent TEXT,
    points BIGINT,
    body TEXT NOT NULL,
    node TEXT NOT NULL
);
CREATE INDEX log_contact ON log (contact_id, id);
CREATE INDEX log_points ON log (agent, at) WHERE points IS NOT NULL;

-- Each contact as it stands, with an optimistic-lock version.
CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    department TEXT NOT NULL,
    state TEXT NOT NULL,
    agent TEXT,
    category TEXT NOT NULL,
    channel TEXT NOT NULL,
    customer TEXT NOT NULL,
    plugin_id TEXT NOT NULL,
    plugin_version TEXT NOT NULL,
    binding BIGINT NOT NULL,
    opened_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    snapshot TEXT NOT NULL
);
CREATE INDEX contacts_department ON contacts (department, state, opened_at);

-- Deadlines and callbacks still to fire, claimed by a node under a lease.
CREATE TABLE timers (
    contact_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    due BIGINT NOT NULL,
    department TEXT NOT NULL,
    claimed_by TEXT,
    lease_until BIGINT,
    PRIMARY KEY (contact_id, kind, name)
);
CREATE INDEX timers_due ON timers (due);

-- Return visits, for the callbacks-due lists.
CREATE TABLE callbacks (
    contact_id TEXT NOT NULL,
    id TEXT NOT NULL,
    department TEXT NOT NULL,
    agent TEXT,
    due BIGINT NOT NULL,
    purpose TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    PRIMARY KEY (contact_id, id)
);
CREATE INDEX callbacks_due ON callbacks (department, status, due);

-- Every binding a department has had; the highest revision is current.
CREATE TABLE bindings (
    department TEXT NOT NULL,
    revision BIGINT NOT NULL,
    name TEXT NOT NULL,
    plugin_id TEXT NOT NULL,
    plugin_version TEXT NOT NULL,
    params TEXT NOT NULL,
    calendar TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (department, revision)
);

-- Uploaded plugin components, shared by every node.
CREATE TABLE plugins (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    wasm {blob} NOT NULL,
    uploaded_at BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    departments TEXT NOT NULL,
    password_hash TEXT,
    created_at BIGINT NOT NULL
);

-- Bearer tokens, stored as their SHA-256 (a token is 256 random bits).
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE audit (
    id {serial},
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);
"#;

/// Supervisors' statistics read the log's deadline, escalation and points
/// outcomes by time. Partial, so the other outcomes (most of the log) cost
/// no index write; queries must repeat this `kind IN (…)` list verbatim for
/// SQLite to use it (see `STATS_FROM` in read.rs).
const V2: &str = r#"
CREATE INDEX log_stats ON log (at) WHERE kind IN ('deadline_met', 'deadline_missed', 'escalated', 'penalty', 'reward');
"#;

/// A batch commits in one statement on PostgreSQL (store/postgres.rs); when
/// one of its contacts changed on another node meanwhile, the statement
/// calls this to fail, and so writes nothing.
const V3: &str = r#"-- PostgreSQL only
CREATE FUNCTION sopline_conflict() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a contact of the batch changed on another node' USING ERRCODE = 'SL409';
END $$;
"#;

/// Ending access (server/auth): a token gets a public id (the first 12 hex
/// digits of its hash, so it can be listed and revoked without being
/// shown), a kind (`login` for console sessions, `api` for the CLI's), an
/// expiry and a revocation time; a user can be disabled. Tokens issued
/// before this version expire 90 days after they were issued, the new
/// default, instead of never.
const V4: &str = r#"
ALTER TABLE tokens ADD COLUMN id TEXT;
ALTER TABLE tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'api';
ALTER TABLE tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE tokens ADD COLUMN revoked_at BIGINT;
UPDATE tokens SET id = substr(hash, 1, 12), expires_at = created_at + 7776000000;
CREATE UNIQUE INDEX tokens_id ON tokens (id);
CREATE INDEX tokens_user ON tokens (user_name);
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
"#;

/// Who sent the request behind each log row: the authenticated caller's
/// name, never a name the request itself claimed (`NULL` for timers).
const V5: &str = r#"
ALTER TABLE log ADD COLUMN actor TEXT;
"#;
