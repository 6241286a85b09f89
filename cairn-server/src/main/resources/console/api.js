// The API client. The session lives in the HttpOnly cookie the server sets at login; this
// module never sees or stores the session token. Changes (POST/PATCH/PUT/DELETE) carry the
// session's CSRF token in X-CSRF-Token, which the server checks against the cookie.

export class ApiError extends Error {
  constructor(status, code, message, method, path) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.method = method;
    this.path = path;
  }
}

/** The logged-in user ({id, username, role, tenant, totp}) and the CSRF token, in memory only. */
export const session = {me: null, csrf: null, server: null};

let expiredHandler = () => {};

/** Called once when a request finds the session gone (expired, revoked, logged out elsewhere). */
export function onSessionExpired(fn) {
  expiredHandler = fn;
}

const SAFE = new Set(['GET', 'HEAD']);

export async function api(method, path, body, {signal, quiet = false} = {}) {
  const headers = {'Accept': 'application/json'};
  if (!SAFE.has(method) && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  const init = {method, headers, credentials: 'same-origin', cache: 'no-store', redirect: 'error', signal};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch('/api/v1' + path, init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'The server could not be reached. Check the connection and try again.',
      method, path);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const code = data && typeof data.error === 'string' ? data.error : 'http_' + res.status;
    const message = data && typeof data.message === 'string' && data.message
      ? data.message : `The server answered ${res.status} ${res.statusText}`.trim();
    const err = new ApiError(res.status, code, message, method, path);
    if (res.status === 401 && !quiet && (code === 'unauthenticated' || code === 'bad_credentials')) {
      expiredHandler(err);
    }
    throw err;
  }
  return data;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body === undefined ? {} : body, opts);
export const patch = (path, body, opts) => api('PATCH', path, body, opts);
export const del = (path, opts) => api('DELETE', path, undefined, opts);

/** Path segment, escaped. */
export function seg(v) {
  return encodeURIComponent(String(v));
}

/** Logs in; answers the login result, or throws ApiError (code 'totp_required' asks for a code). */
export async function login(username, password, totp) {
  // session: 'cookie' — the token goes only into the HttpOnly cookie, never into this page.
  const body = {username, password, session: 'cookie'};
  if (totp) body.totp = totp;
  const r = await api('POST', '/login', body, {quiet: true});
  session.csrf = r && r.csrf ? r.csrf : null;
  return {expiresAt: r ? r.expiresAt : null};
}

/** Reads who is logged in from the cookie; null when there is no valid session. */
export async function loadMe() {
  try {
    const me = await api('GET', '/me', undefined, {quiet: true});
    session.me = me;
    if (me && me.csrf) session.csrf = me.csrf;
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      session.me = null;
      session.csrf = null;
      return null;
    }
    throw e;
  }
}

export async function logout() {
  try {
    await api('POST', '/logout', {}, {quiet: true});
  } finally {
    session.me = null;
    session.csrf = null;
    session.server = null;
  }
}

export async function serverInfo() {
  if (!session.server) session.server = await get('/server');
  return session.server;
}
