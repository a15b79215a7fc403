//! Plugin components: list, upload (authors and admins), inspect.

use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{ApiError, ApiResult, State};
use crate::plugin::error::mib;
use crate::plugin::{MAX_COMPONENT_BYTES, PluginError, precheck};
use crate::server::auth::{Caller, Role};

#[derive(Serialize, ToSchema)]
pub struct PluginList {
    #[schema(value_type = Vec<Object>)]
    pub plugins: Vec<Value>,
}

/// Every plugin version stored.
#[utoipa::path(get, path = "/api/v1/plugins", tag = "plugins", responses((status = 200, body = PluginList)))]
pub async fn plugins(state: State, _caller: Caller) -> ApiResult<Json<PluginList>> {
    let plugins = state
        .store
        .plugin_list()
        .await?
        .into_iter()
        .map(|(id, version, sha256)| serde_json::json!({ "id": id, "version": version, "sha256": sha256 }))
        .collect();
    Ok(Json(PluginList { plugins }))
}

/// Upload a plugin component (the body is the `.wasm`). Authors and admins.
///
/// The component's structure is checked first (milliseconds); only a
/// component that passes waits for its turn to compile (one at a time).
#[utoipa::path(post, path = "/api/v1/plugins", tag = "plugins", request_body(content = Vec<u8>, content_type = "application/wasm"),
    responses((status = 201, description = "the manifest"),
        (status = 413, body = super::ErrorBody, description = "larger than a plugin may be (8 MiB)"),
        (status = 422, body = super::ErrorBody, description = "not a compatible plugin, with the reason"),
        (status = 503, body = super::ErrorBody, description = "compiling (or waiting for other compiles) took longer than an upload may take")))]
pub async fn upload_plugin(
    state: State,
    caller: Caller,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    caller.require(&[Role::Author, Role::Admin], "uploading a plugin")?;
    let wasm = body.map_err(body_error)?;
    let checked = wasm.clone();
    tokio::task::spawn_blocking(move || precheck(&checked))
        .await
        .map_err(ApiError::internal)?
        .map_err(|reason| invalid_plugin(PluginError::Rejected { origin: "plugin bytes".into(), reason }))?;
    let runtime = state.runtime.clone();
    let compiled = wasm.clone();
    let plugin = state
        .compiles
        .run(move || runtime.load(&compiled))
        .await
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", e.to_string()))?
        .map_err(invalid_plugin)?;
    let m = plugin.manifest.clone();
    if !state.store.insert_plugin(&m.id, &m.version, &plugin.sha256(), &wasm, &caller.name).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("{}@{} is already stored; raise the version in the manifest to upload a change", m.id, m.version),
        ));
    }
    state.catalog.write().expect("catalog lock").add(plugin.clone());
    state
        .store
        .audit(
            &caller.name,
            "upload",
            &format!("{}@{}", m.id, m.version),
            serde_json::json!({ "sha256": plugin.sha256() }),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(crate::plugin::manifest_json(&m))))
}

fn invalid_plugin(error: PluginError) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_plugin", error.to_string())
}

/// The body could not be read: over the limit (the router's, which is the
/// precheck's) or cut off.
fn body_error(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("a plugin component may be at most {}", mib(MAX_COMPONENT_BYTES)),
        )
    } else {
        ApiError::new(rejection.status(), "invalid_body", rejection.body_text())
    }
}

/// A plugin version's manifest.
#[utoipa::path(get, path = "/api/v1/plugins/{id}/{version}", tag = "plugins",
    params(("id" = String, Path), ("version" = String, Path)), responses((status = 200, description = "the manifest"), (status = 404, body = super::ErrorBody)))]
pub async fn plugin(
    state: State,
    _caller: Caller,
    Path((id, version)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let catalog = state.catalog.read().expect("catalog lock");
    let plugin = catalog.find(&id, Some(&version)).map_err(ApiError::not_found)?;
    Ok(Json(crate::plugin::manifest_json(&plugin.manifest)))
}
