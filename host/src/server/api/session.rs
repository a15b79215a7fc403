//! Logging in and out, and who is calling.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiError, ApiResult, Body, State};
use crate::server::AppState;
use crate::server::auth::Caller;
use crate::server::auth::login::LoginError;
use crate::server::auth::manage;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub name: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginAnswer {
    pub token: String,
    pub user: Caller,
}

/// The address a request came from: the connection's, or with
/// `--trust-proxy` the last one in `X-Forwarded-For` (which the reverse
/// proxy appended; anything before it the client could have written).
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<Arc<AppState>> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let forwarded = || {
            let value = parts.headers.get_all("x-forwarded-for").iter().next_back()?.to_str().ok()?;
            value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
        };
        let connection = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let proxied = if state.logins.settings.trust_proxy { forwarded() } else { None };
        // Without either (a router served without connect info), every
        // client shares one address: throttled together rather than never.
        Ok(ClientAddr(proxied.or(connection).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))))
    }
}

/// Exchange a name and password for a bearer token that lasts the server's
/// `--session-ttl` (12 h by default).
///
/// After 5 failed logins for a name (20 from one address) within 15
/// minutes, further attempts are refused with 429 for 1 minute, then 2, 4,
/// 8 and at most 15 minutes per further failure, even with the right
/// password. When too many password checks are already running, the answer
/// is 503 at once.
#[utoipa::path(post, path = "/api/v1/login", tag = "auth", request_body = Login, security(()),
    responses(
        (status = 200, body = LoginAnswer, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, body = super::ErrorBody, description = "`unauthorized`: wrong name or password"),
        (status = 403, body = super::ErrorBody, description = "`user_disabled`: the right password of a disabled user"),
        (status = 429, body = super::ErrorBody, description = "`throttled`: too many failures; the message and `Retry-After` say when to try again",
            headers(("Retry-After" = u64, description = "seconds"))),
        (status = 503, body = super::ErrorBody, description = "`busy`: too many logins being checked; try again in a second",
            headers(("Retry-After" = u64, description = "seconds"))),
    ))]
pub async fn login(state: State, ClientAddr(from): ClientAddr, Body(req): Body<Login>) -> Response {
    match state.logins.login(&state.store, &req.name, &req.password, from).await {
        Ok(session) => {
            let answer = Json(LoginAnswer { token: session.token, user: session.caller });
            // The answer carries a token: no cache, proxy or browser may keep it.
            ([(header::CACHE_CONTROL, "no-store")], answer).into_response()
        }
        Err(e) => login_error(e),
    }
}

fn login_error(e: LoginError) -> Response {
    let (error, retry_after) = match e {
        LoginError::Throttled { retry_after, by } => {
            let seconds = retry_after.as_secs();
            let until = jiff::Timestamp::now().checked_add(retry_after).map(|t| t.strftime("%H:%M:%S UTC").to_string());
            let what = if by == "name" { "for this user name" } else { "from your address" };
            let message =
                format!("too many failed logins {what}; try again in {seconds} s (at {})", until.unwrap_or_default());
            (ApiError::new(StatusCode::TOO_MANY_REQUESTS, "throttled", message), Some(seconds))
        }
        LoginError::Busy => {
            let message = "too many logins are being checked right now; try again in a second";
            (ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", message), Some(1))
        }
        LoginError::Wrong => (ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "wrong name or password"), None),
        LoginError::Disabled(name) => {
            let message = format!("the account `{name}` is disabled; ask an administrator to enable it");
            (ApiError::new(StatusCode::FORBIDDEN, "user_disabled", message), None)
        }
        LoginError::Internal(e) => (ApiError::from(e), None),
    };
    let mut response = error.into_response();
    if let Some(seconds) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Revoke the token of this request (the console's sign-out button).
#[utoipa::path(post, path = "/api/v1/logout", tag = "auth", responses((status = 204, description = "the token no longer works")))]
pub async fn logout(state: State, caller: Caller) -> ApiResult<StatusCode> {
    manage::logout(&state.store, &caller.name, &caller.token.id).await.map_err(super::users::access_error)?;
    state.tokens.changed();
    Ok(StatusCode::NO_CONTENT)
}

/// Who the token belongs to, and when it expires.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Caller)))]
pub async fn me(caller: Caller) -> Json<Caller> {
    Json(caller)
}
