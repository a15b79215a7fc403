//! The browser console at `/console`: plain HTML, CSS and JavaScript modules
//! from `host/console/`, built into the binary (no separate web server, no
//! build step). The page talks to `/api/v1` and the `/api/v1/stream` SSE.
//!
//! Every asset is answered with a strong `ETag` (its SHA-256) and
//! `Cache-Control: no-cache`, so browsers revalidate and get `304 Not
//! Modified` until a new binary ships different bytes; the shell page is never
//! stored. For working on the console without rebuilding, set
//! `SOPLINE_CONSOLE_DIR=host/console`: the same file names are then read from
//! that folder on every request (only names in [`ASSETS`] are ever served).

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use super::AppState;

/// One embedded file: its name under `/console/`, bytes and content type.
pub struct Asset {
    pub name: &'static str,
    pub body: &'static [u8],
    pub content_type: &'static str,
}

macro_rules! asset {
    ($name:literal, $type:literal) => {
        Asset { name: $name, body: include_bytes!(concat!("../../console/", $name)), content_type: $type }
    };
}

/// Everything the console serves.
pub const ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("style.css", "text/css; charset=utf-8"),
    asset!("app.js", "text/javascript; charset=utf-8"),
    asset!("api.js", "text/javascript; charset=utf-8"),
    asset!("i18n.js", "text/javascript; charset=utf-8"),
    asset!("util.js", "text/javascript; charset=utf-8"),
    asset!("agent.js", "text/javascript; charset=utf-8"),
    asset!("supervisor.js", "text/javascript; charset=utf-8"),
    asset!("admin.js", "text/javascript; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
];

/// The page may load only its own scripts and talk only to its own server.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// `/console`, `/console/` and `/console/{file}`.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console", get(|headers: HeaderMap| async move { serve("index.html", &headers) }))
        .route("/console/", get(|headers: HeaderMap| async move { serve("index.html", &headers) }))
        .route(
            "/console/{file}",
            get(|Path(file): Path<String>, headers: HeaderMap| async move { serve(&file, &headers) }),
        )
}

fn etags() -> &'static Vec<String> {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| ASSETS.iter().map(|a| etag(a.body)).collect())
}

fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = hex::encode(&digest[..16]);
    format!("\"{hex}\"")
}

fn serve(name: &str, headers: &HeaderMap) -> Response {
    let Some(index) = ASSETS.iter().position(|a| a.name == name) else {
        return super::api::ApiError::not_found(format!("no console file `{name}`")).into_response();
    };
    let asset = &ASSETS[index];
    let (body, tag): (std::borrow::Cow<'static, [u8]>, String) = match std::env::var_os("SOPLINE_CONSOLE_DIR") {
        Some(dir) => match std::fs::read(std::path::Path::new(&dir).join(asset.name)) {
            Ok(bytes) => {
                let tag = etag(&bytes);
                (bytes.into(), tag)
            }
            Err(_) => (asset.body.into(), etags()[index].clone()),
        },
        None => (asset.body.into(), etags()[index].clone()),
    };
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], body.into_owned()).into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    let cache = if asset.name == "index.html" { "no-store" } else { "no-cache" };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if asset.content_type.starts_with("text/html") {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_embedded_and_typed() {
        for a in ASSETS {
            assert!(!a.body.is_empty(), "{} is empty", a.name);
            assert!(a.content_type.contains('/'), "{}", a.name);
        }
        let index = std::str::from_utf8(ASSETS[0].body).unwrap();
        for a in ASSETS.iter().filter(|a| a.name.ends_with(".js") || a.name.ends_with(".css")) {
            // Every script and style is reachable from the page or another module.
            let named = ASSETS.iter().any(|o| std::str::from_utf8(o.body).is_ok_and(|t| t.contains(a.name)));
            assert!(named, "{} is not referenced", a.name);
        }
        assert!(index.contains("app.js"));
    }

    #[test]
    fn etags_differ_per_file() {
        let tags = etags();
        let mut sorted = tags.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), tags.len());
    }
}
