// The HTTP API and the live stream. The bearer token lives in
// sessionStorage: it is gone when the tab closes.

const KEY = 'sopline.token';

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    /// Seconds, from a 429 or 503 answer's `Retry-After`.
    this.retryAfter = retryAfter;
  }
}

/// The session ended on the server (revoked, expired, user disabled or
/// deleted): the shell signs out and says why (`code`).
function ended(code) {
  session.token = null;
  window.dispatchEvent(new CustomEvent('sopline:logout', { detail: { code } }));
}

export const session = {
  get token() { return sessionStorage.getItem(KEY); },
  set token(v) { if (v) sessionStorage.setItem(KEY, v); else sessionStorage.removeItem(KEY); },
  user: null,
};

export async function api(method, path, body, { raw = false } = {}) {
  const headers = {};
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let payload;
  if (body instanceof ArrayBuffer || body instanceof Blob) {
    payload = body;
    headers['Content-Type'] = 'application/wasm';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, body: payload });
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) {
    const err = json?.error ?? {};
    const retryAfter = Number(response.headers.get('Retry-After')) || null;
    const error = new ApiError(response.status, err.code ?? 'http', err.message ?? `${response.status} ${response.statusText}`, retryAfter);
    if (response.status === 401 && !path.startsWith('/login') && !path.startsWith('/logout')) ended(error.code);
    throw error;
  }
  return raw ? text : json;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);

/// Subscribes to outcomes; reconnects by itself (EventSource does), and
/// reports whether it is connected. The server ends the stream with a
/// `closed` event when the session ended; a reconnection it refuses (401)
/// leaves the source closed, and asking /me then signs out with the reason.
export function stream(onOutcome, onStatus) {
  const source = new EventSource(`/api/v1/stream?token=${encodeURIComponent(session.token)}`);
  source.addEventListener('open', () => onStatus(true));
  source.addEventListener('error', () => {
    onStatus(false);
    if (source.readyState === EventSource.CLOSED) api('GET', '/me').catch(() => {});
  });
  source.addEventListener('closed', (e) => {
    source.close();
    let code = 'unauthorized';
    try { code = JSON.parse(e.data).error.code; } catch { /* keep the generic reason */ }
    ended(code);
  });
  source.addEventListener('outcome', (e) => {
    try { onOutcome(JSON.parse(e.data)); } catch { /* a malformed line is skipped */ }
  });
  return () => source.close();
}

export function q(params) {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, v);
  const text = s.toString();
  return text ? `?${text}` : '';
}
