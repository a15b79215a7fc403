//! Outcomes as server-sent events, for consoles: every outcome committed on
//! this node, or on any node of the cluster (PostgreSQL LISTEN/NOTIFY),
//! limited to the caller's departments.
//!
//! A stream lives only as long as its token works: it re-checks the token
//! when access changed (at once on this node, on a notice from other
//! processes), at the token's expiry, and every [`STREAM_RECHECK`]. A
//! refused stream gets a last `closed` event (`{"error": {code, message}}`,
//! as the API's 401) and ends; a re-check also picks up new departments.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use utoipa::IntoParams;

use super::{ApiError, ApiResult, ErrorBody, ErrorDetail, Params, State};
use crate::server::AppState;
use crate::server::auth::{Caller, Refusal, STREAM_RECHECK};

#[derive(Deserialize, IntoParams)]
pub struct StreamQuery {
    /// Only this department (default: all the caller's).
    department: Option<String>,
    /// The bearer token, for browsers' `EventSource` (which cannot send
    /// headers); only this route takes a token in the URL.
    #[allow(dead_code)]
    token: Option<String>,
}

/// Live outcomes (`text/event-stream`, one `outcome` event per outcome, JSON data).
///
/// Ends with a `closed` event (data `{"error": {"code", "message"}}`) when
/// its token is revoked or expires or its user is disabled or deleted: at
/// once on the node that made the change, within 5 s on any other.
#[utoipa::path(get, path = "/api/v1/stream", tag = "contacts", params(StreamQuery),
    responses((status = 200, content_type = "text/event-stream",
        description = "`event: outcome`, `data: {outcome JSON}`; last, if access ended: `event: closed`, `data: {\"error\": …}`")))]
pub async fn stream(
    state: State,
    caller: Caller,
    Params(q): Params<StreamQuery>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    if let Some(d) = &q.department
        && !caller.sees(d)
    {
        return Err(ApiError::forbidden(format!("you ({}) do not work for department `{d}`", caller.name)));
    }
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(pump(state.0.clone(), caller, q.department, tx));
    Ok(Sse::new(ReceiverStream::new(rx)).keep_alive(KeepAlive::default()))
}

/// Feeds one stream until its client leaves, the node shuts down, or its
/// token stops working.
async fn pump(
    state: Arc<AppState>,
    mut caller: Caller,
    only: Option<String>,
    tx: mpsc::Sender<Result<Event, Infallible>>,
) {
    let mut outcomes = state.stream.subscribe();
    let mut closing = state.closing.subscribe();
    let mut changes = state.tokens.subscribe();
    let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + STREAM_RECHECK, STREAM_RECHECK);
    loop {
        if *closing.borrow() {
            return;
        }
        let expiry = until_expiry(&caller);
        // Biased: a change of access is looked at before the next outcome goes out.
        let check = tokio::select! {
            biased;
            _ = closing.changed() => return,
            _ = tx.closed() => return,
            changed = changes.changed() => changed.is_ok() || return,
            _ = tokio::time::sleep(expiry) => true,
            _ = recheck.tick() => true,
            outcome = outcomes.recv() => match outcome {
                Ok(p) => {
                    let shown = caller.sees(&p.department) && only.as_ref().is_none_or(|d| *d == p.department);
                    if shown && tx.send(Ok(Event::default().event("outcome").data(&*p.json))).await.is_err() {
                        return;
                    }
                    false
                }
                Err(broadcast::error::RecvError::Lagged(_)) => false,
                Err(broadcast::error::RecvError::Closed) => return,
            },
        };
        if check {
            match state.tokens.check_hash(&state.store, &caller.token.hash).await {
                Ok(Ok(now)) => caller = now,
                Ok(Err(refusal)) => return close(&tx, refusal).await,
                // The database is unreachable: keep serving; the next check decides.
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "re-checking a stream's token failed"),
            }
        }
    }
}

/// How long until the caller's token expires (a day at most, so a token
/// that never expires needs no special case).
fn until_expiry(caller: &Caller) -> Duration {
    let Some(at) = caller.token.expires_at else { return Duration::from_secs(86_400) };
    let left = at.duration_since(jiff::Timestamp::now());
    Duration::try_from(left).unwrap_or(Duration::ZERO).min(Duration::from_secs(86_400))
}

async fn close(tx: &mpsc::Sender<Result<Event, Infallible>>, refusal: Refusal) {
    let body = ErrorBody { error: ErrorDetail { code: refusal.code().into(), message: refusal.message() } };
    let data = serde_json::to_string(&body).unwrap_or_default();
    let _ = tx.send(Ok(Event::default().event("closed").data(data))).await;
}
