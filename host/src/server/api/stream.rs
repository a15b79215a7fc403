//! Outcomes as server-sent events, for consoles: every outcome committed on
//! this node, or on any node of the cluster (PostgreSQL LISTEN/NOTIFY),
//! limited to the caller's departments.

use std::convert::Infallible;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;
use utoipa::IntoParams;

use super::{ApiError, ApiResult, Params, State};
use crate::server::auth::Caller;

#[derive(Deserialize, IntoParams)]
pub struct StreamQuery {
    /// Only this department (default: all the caller's).
    department: Option<String>,
    /// The bearer token, for browsers' `EventSource` (which cannot send headers).
    #[allow(dead_code)]
    token: Option<String>,
}

/// Live outcomes (`text/event-stream`, one `outcome` event per outcome, JSON data).
#[utoipa::path(get, path = "/api/v1/stream", tag = "contacts", params(StreamQuery),
    responses((status = 200, content_type = "text/event-stream", description = "`event: outcome`, `data: {outcome JSON}`")))]
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
    let only = q.department;
    let mut closing = state.closing.subscribe();
    let closed = async move {
        let _ = closing.wait_for(|c| *c).await;
    };
    let events = BroadcastStream::new(state.stream.subscribe()).take_until(closed).filter_map(move |item| {
        let event =
            item.ok().filter(|p| caller.sees(&p.department) && only.as_ref().is_none_or(|d| *d == p.department));
        std::future::ready(event.map(|p| Ok(Event::default().event("outcome").data(&*p.json))))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
