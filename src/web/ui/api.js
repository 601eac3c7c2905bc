// The pages' one way to the JSON API: same-origin fetch with the session cookie, the
// CSRF token on every change, JSON in and out, and errors as ApiError with the API's code.

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** GET /api/session: { signedIn, account?, csrfToken }; keeps the token for later calls. */
export async function loadSession() {
  const session = await request('GET', '/api/session');
  csrfToken = session.csrfToken;
  return session;
}

export function setCsrfToken(token) {
  csrfToken = token;
}

export function getCsrfToken() {
  return csrfToken;
}

/**
 * One API call. `body` is sent as JSON unless it is FormData or a Blob. Answers are
 * parsed as JSON when they are JSON; 204 gives null.
 */
export async function request(method, path, body, options = {}) {
  const headers = { Accept: 'application/json', ...(options.headers ?? {}) };
  let payload;
  if (body instanceof FormData || body instanceof Blob) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', signal: options.signal });
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    if (response.status === 401 && !options.allowAnonymous) location.assign('/console/login.html');
    throw new ApiError(response.status, data?.error ?? 'error', data?.message ?? String(data));
  }
  return data;
}

export const api = {
  get: (path, options) => request('GET', path, undefined, options),
  post: (path, body, options) => request('POST', path, body, options),
  put: (path, body, options) => request('PUT', path, body, options),
  patch: (path, body, options) => request('PATCH', path, body, options),
  del: (path, body, options) => request('DELETE', path, body, options),
};
