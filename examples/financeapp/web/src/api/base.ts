import {
  createApi,
  fetchBaseQuery,
  type BaseQueryFn,
  type FetchArgs,
  type FetchBaseQueryError,
} from '@reduxjs/toolkit/query/react'
import { apiBase, csrfCookie, csrfHeader, readCookie, stepUpCode } from './contract'
import { requestStepUp } from './stepUp'
import type { Problem } from './types'
import { sessionEnded } from '../app/sessionSlice'

interface CsrfState {
  session: { csrfToken: string }
}

const raw = fetchBaseQuery({
  baseUrl: apiBase,
  credentials: 'same-origin',
  prepareHeaders(headers) {
    headers.set('Accept', 'application/json, application/problem+json')
    return headers
  },
})

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/** isStepUpRequired tells whether an error answer asks for a fresh TOTP. */
export function isStepUpRequired(error: FetchBaseQueryError, headers?: Headers): boolean {
  const problem = (error as { data?: Problem }).data
  if (problem && typeof problem === 'object' && problem.type === stepUpCode) return true
  const challenge = headers?.get('WWW-Authenticate') ?? ''
  return challenge.includes('insufficient_user_authentication')
}

/**
 * isCredentialsProblem tells a 401 about a password just typed (a wrong
 * current password when changing it) from a lost session.
 */
function isCredentialsProblem(error: FetchBaseQueryError): boolean {
  const problem = (error as { data?: Problem }).data
  return Boolean(problem && typeof problem === 'object' && problem.type === 'invalid_credentials')
}

// Requests whose 401 is an answer about credentials, not a lost session.
const authPaths = ['/session', '/v1/auth/']

/**
 * baseQuery sends one API request: it adds the CSRF token to state-changing
 * requests, runs the step-up dialog and retries once when the answer requires
 * it, and ends the local session when the service says it is gone.
 */
export const baseQuery: BaseQueryFn<string | FetchArgs, unknown, FetchBaseQueryError> = async (
  args,
  api,
  extra,
) => {
  const req: FetchArgs = typeof args === 'string' ? { url: args } : { ...args }
  const method = (req.method ?? 'GET').toUpperCase()
  if (!safeMethods.has(method)) {
    const token = readCookie(csrfCookie) || (api.getState() as CsrfState).session.csrfToken
    req.headers = { ...(req.headers as Record<string, string>), [csrfHeader]: token }
  }

  let result = await raw(req, api, extra)
  if (result.error && isStepUpRequired(result.error, result.meta?.response?.headers)) {
    if (!(await requestStepUp())) return result
    result = await raw(req, api, extra)
  }

  const lost =
    result.error?.status === 401 &&
    !isStepUpRequired(result.error, result.meta?.response?.headers) &&
    !isCredentialsProblem(result.error) &&
    !authPaths.some((p) => req.url.startsWith(p))
  if (lost) api.dispatch(sessionEnded('expired'))
  return result
}

/**
 * api is the one RTK Query slice of the UI; each feature injects its
 * endpoints from its own file in this folder.
 */
export const api = createApi({
  reducerPath: 'api',
  baseQuery,
  // Every page asks the service again when it opens: a revoked session or a
  // revoked grant shows on the next action, not after a cache expires.
  refetchOnMountOrArgChange: true,
  tagTypes: [
    'Session',
    'Transaction',
    'Summary',
    'Grant',
    'Auditor',
    'Draft',
    'SharedWithMe',
    'AdminUser',
    'AdminSession',
    'Audit',
    'Alert',
  ],
  endpoints: () => ({}),
})
