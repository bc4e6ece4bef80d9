import type { FetchBaseQueryError } from '@reduxjs/toolkit/query'
import type { SerializedError } from '@reduxjs/toolkit'
import type { Problem } from './types'

/** DisplayError is what the UI shows of a failed request. */
export interface DisplayError {
  status?: number
  code?: string
  message: string
  fields: Record<string, string>
}

const byStatus: Record<number, string> = {
  400: 'The request was not accepted. Check the fields and try again.',
  401: 'Your session has ended. Sign in again.',
  403: 'You do not have access to this.',
  404: 'Not found.',
  409: 'This conflicts with the current state. Reload and try again.',
  413: 'That is too large.',
  422: 'Some fields are not valid.',
  429: 'Too many attempts. Wait a moment and try again.',
}

/** describeError turns an RTK Query error into a message for people. */
export function describeError(error: FetchBaseQueryError | SerializedError | undefined): DisplayError {
  if (!error) return { message: 'Something went wrong.', fields: {} }
  if (!('status' in error)) return { message: error.message ?? 'Something went wrong.', fields: {} }
  if (error.status === 'PARSING_ERROR') {
    // An answer that is not JSON, such as a plain 404 of a route that does
    // not exist: its status still says what happened.
    const status = error.originalStatus
    return { status, message: byStatus[status] ?? `The service answered ${status}.`, fields: {} }
  }
  if (typeof error.status !== 'number') {
    return { message: 'The service cannot be reached. Check your connection.', fields: {} }
  }

  const problem = (error.data && typeof error.data === 'object' ? error.data : {}) as Problem
  const fields: Record<string, string> = {}
  if (problem.field) fields[problem.field] = sentence(problem.detail ?? 'This field is not valid.')
  const message = problem.detail ? sentence(problem.detail) : byStatus[error.status] || problem.title || `The service answered ${error.status}.`
  return { status: error.status, code: problem.type, message, fields }
}

/** sentence capitalises a service message and ends it with a full stop. */
export function sentence(s: string): string {
  const t = s.trim()
  if (!t) return t
  const c = t.charAt(0).toUpperCase() + t.slice(1)
  return /[.!?]$/.test(c) ? c : `${c}.`
}
