// The few names that the UI and the public service agree on outside of the
// JSON bodies. README.md lists them for the serving side.

/**
 * apiBase is the path prefix of every route the UI calls. /api/session is the
 * browser's own session (served by the public service itself); /api/v1/... is
 * the platform's API, forwarded by the public service with the session's
 * access token.
 */
export const apiBase = '/api'

/** csrfHeader carries the CSRF token on every state-changing request. */
export const csrfHeader = 'X-CSRF-Token'

/**
 * csrfCookie is the non-httpOnly cookie in which the public service may hand
 * out the CSRF token (double submit). The token in the session document
 * (csrf_token) is used when the cookie is absent.
 */
export const csrfCookie = '__Host-csrf'

/** stepUpCode is the problem type of an answer that requires a step-up. */
export const stepUpCode = 'step_up'

/** totpRequiredCode is the problem code of a sign-in that needs a TOTP code. */
export const totpRequiredCode = 'totp_required'

/** readCookie returns the value of the cookie named name, or ''. */
export function readCookie(name: string, cookies = document.cookie): string {
  for (const part of cookies.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return decodeURIComponent(v.join('='))
  }
  return ''
}
