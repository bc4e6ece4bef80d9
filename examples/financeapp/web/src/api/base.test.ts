import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '@testing-library/react'
import { makeStore } from '../app/store'
import { sessionLoaded } from '../app/sessionSlice'
import { authApi } from './auth'
import { financeApi } from './finance'
import { csrfHeader } from './contract'
import { onStepUp, settleStepUp } from './stepUp'
import { json, problem, route, serve, userOf } from '../test/server'

const tx = { amount_minor: 100, currency: 'INR', payment_type: 'card', category: 'expense', description: 'x', location: '', date: '2026-01-01' } as const

function signedInStore() {
  const store = makeStore()
  store.dispatch(sessionLoaded({ user: userOf('user'), csrf_token: 'from-session' }))
  return store
}

describe('baseQuery', () => {
  let unsubscribe = () => {}
  afterEach(() => unsubscribe())

  it('sends the CSRF cookie in a header on state-changing requests only', async () => {
    document.cookie = '__Host-csrf=from-cookie; path=/; secure'
    const served = serve(
      route('GET', '/api/v1/transactions', () => json({ items: [] })),
      route('POST', '/api/v1/transactions', () => json({ id: '1', ...tx }, 201)),
    )
    const store = signedInStore()
    await store.dispatch(financeApi.endpoints.transactions.initiate({}))
    await store.dispatch(financeApi.endpoints.createTransaction.initiate(tx))

    const [get, post] = served.requests
    expect(get?.headers.get(csrfHeader)).toBeNull()
    expect(post?.headers.get(csrfHeader)).toBe('from-cookie')
    expect(post?.credentials).toBe('same-origin')
  })

  it('falls back to the token of the session document without a cookie', async () => {
    const served = serve(route('DELETE', '/api/v1/grants/g1', () => new Response(null, { status: 204 })))
    const store = signedInStore()
    await store.dispatch(financeApi.endpoints.revokeGrant.initiate('g1'))
    expect(served.requests[0]?.headers.get(csrfHeader)).toBe('from-session')
  })

  it('ends the session when the service answers 401 and forgets cached data', async () => {
    serve(route('GET', '/api/v1/transactions', () => problem(401, 'unauthenticated', 'the session was revoked')))
    const store = signedInStore()
    await store.dispatch(financeApi.endpoints.transactions.initiate({}))
    expect(store.getState().session).toMatchObject({ status: 'anonymous', user: null, ended: 'expired' })
    expect(Object.keys(store.getState().api.queries)).toEqual([])
  })

  it('keeps the session on a 401 about credentials at sign-in', async () => {
    serve(route('POST', '/api/session', () => problem(401, 'invalid_credentials', 'wrong email or password')))
    const store = makeStore()
    const res = await store.dispatch(authApi.endpoints.signIn.initiate({ email: 'a@b.c', password: 'x' }))
    expect('error' in res).toBe(true)
    expect(store.getState().session.ended).toBe('')
  })

  it('asks for a step-up and retries the request once it succeeds', async () => {
    let calls = 0
    const served = serve(
      route('POST', '/api/v1/grants', () =>
        ++calls === 1
          ? problem(401, 'step_up', 'this action needs a fresh sign-in', {}, { 'WWW-Authenticate': 'Bearer error="insufficient_user_authentication"' })
          : json({ id: 'g1' }, 201),
      ),
    )
    unsubscribe = onStepUp((open) => open && queueMicrotask(() => settleStepUp(true)))
    const store = signedInStore()
    const res = await store.dispatch(
      financeApi.endpoints.createGrant.initiate({ auditor_id: 'a', scope: 'all', expires_at: '2027-01-01T00:00:00Z' }),
    )
    expect(res.data).toEqual({ id: 'g1' })
    expect(served.requests).toHaveLength(2)
    expect(store.getState().session.status).toBe('authenticated')
  })

  it('fails without retrying and keeps the session when the step-up is cancelled', async () => {
    const served = serve(route('PUT', '/api/v1/transactions/t1', () => problem(401, 'step_up', 'fresh sign-in needed')))
    unsubscribe = onStepUp((open) => open && queueMicrotask(() => settleStepUp(false)))
    const store = signedInStore()
    const res = await store.dispatch(financeApi.endpoints.updateTransaction.initiate({ id: 't1', body: tx }))
    expect('error' in res).toBe(true)
    expect(served.requests).toHaveLength(1)
    expect(store.getState().session.status).toBe('authenticated')
  })

  it('loads the session and its CSRF token from /api/session', async () => {
    serve(route('GET', '/api/session', () => json({ user: userOf('auditor'), csrf_token: 't0k' })))
    const store = makeStore()
    store.dispatch(authApi.endpoints.session.initiate())
    await waitFor(() => expect(store.getState().session.status).toBe('authenticated'))
    expect(store.getState().session).toMatchObject({ csrfToken: 't0k', user: { role: 'auditor' } })
  })

  it('treats an unreachable session endpoint as signed out', async () => {
    serve(() => Promise.reject(new TypeError('network down')))
    const store = makeStore()
    store.dispatch(authApi.endpoints.session.initiate())
    await waitFor(() => expect(store.getState().session.status).toBe('anonymous'))
  })
})
