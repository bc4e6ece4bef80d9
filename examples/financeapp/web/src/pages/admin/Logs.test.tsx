import { describe, expect, it } from 'vitest'
import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Alerts, AuditTrail, auditQuery, describeResponse, liftable } from './Logs'
import { json, renderRoutes, route, serve, userOf } from '../../test/server'
import type { AuditEvent, SecurityAlert } from '../../api/types'

const event = (id: string, actor = 'alice@example.com'): AuditEvent => ({
  id,
  time: '2026-11-02T10:00:00Z',
  actor,
  action: 'transactions.list',
  resource: '/v1/transactions',
  decision: 'deny',
  reason: 'policy.deny',
})

const alert = (id: string, severity: SecurityAlert['severity']): SecurityAlert => ({
  id,
  time: '2026-11-02T10:00:00Z',
  severity,
  rule: 'auth.bruteforce',
  subject: 'mallory@example.com',
  summary: `alert ${id}`,
  response: 'account locked',
})

const params = (r: Request) => new URL(r.url).searchParams

describe('AuditTrail', () => {
  it('turns local days into RFC 3339 bounds that cover the whole days', () => {
    const q = auditQuery({ actor: ' bob ', action: '', decision: 'deny', fromDay: '2026-11-01', toDay: '2026-11-02' }, 'c1')
    expect(q).toMatchObject({ actor: 'bob', decision: 'deny', limit: 25, cursor: 'c1' })
    expect(q.action).toBeUndefined()
    expect(new Date(q.from ?? '').getTime()).toBe(new Date(2026, 10, 1).getTime())
    expect(new Date(q.to ?? '').getTime()).toBe(new Date(2026, 10, 3).getTime() - 1)
    expect(q.from).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  })

  it('filters by actor, action, decision and dates, and pages from the first page again', async () => {
    const served = serve(
      route('GET', '/api/v1/admin/audit', (_req, url) =>
        url.searchParams.get('cursor') === 'older' ? json({ items: [event('e2', 'old@example.com')] }) : json({ items: [event('e1')], next: 'older' }),
      ),
    )
    renderRoutes([{ path: '/admin/audit', element: <AuditTrail /> }], '/admin/audit')
    await screen.findByText('alice@example.com')

    await userEvent.click(screen.getByRole('button', { name: 'Older' }))
    await screen.findByText('old@example.com')
    expect(params(served.requests.at(-1)!).get('cursor')).toBe('older')
    expect(screen.getByText('Page 2')).toBeInTheDocument()

    await userEvent.type(screen.getByLabelText('Actor'), 'alice@example.com')
    await userEvent.type(screen.getByLabelText('Action'), 'transactions.list')
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }))
    await waitFor(() => expect(params(served.requests.at(-1)!).get('actor')).toBe('alice@example.com'))
    let q = params(served.requests.at(-1)!)
    expect(q.get('action')).toBe('transactions.list')
    expect(q.has('cursor')).toBe(false)

    await userEvent.selectOptions(screen.getByLabelText('Decision'), 'deny')
    await waitFor(() => expect(params(served.requests.at(-1)!).get('decision')).toBe('deny'))

    await userEvent.type(screen.getByLabelText('From'), '2026-11-01')
    await userEvent.type(screen.getByLabelText('To'), '2026-11-02')
    await waitFor(() => expect(params(served.requests.at(-1)!).has('to')).toBe(true))
    q = params(served.requests.at(-1)!)
    expect(Date.parse(q.get('from') ?? '')).toBe(new Date(2026, 10, 1).getTime())
    expect(q.get('actor')).toBe('alice@example.com')
  })

  it('refuses a range that ends before it starts, without asking the service', async () => {
    const served = serve(route('GET', '/api/v1/admin/audit', () => json({ items: [] })))
    renderRoutes([{ path: '/admin/audit', element: <AuditTrail /> }], '/admin/audit')
    expect(await screen.findByText('No events recorded yet')).toBeInTheDocument()
    await userEvent.type(screen.getByLabelText('To'), '2026-11-01')
    await waitFor(() => expect(params(served.requests.at(-1)!).has('to')).toBe(true))
    const before = served.requests.length
    await userEvent.type(screen.getByLabelText('From'), '2026-11-05')
    expect(await screen.findByText('Pick a day on or after the first one.')).toBeInTheDocument()
    expect(served.requests.length).toBe(before)
  })

  it('names actors by email when they are account ids', async () => {
    serve(
      route('GET', '/api/v1/admin/audit', () => json({ items: [{ ...event('e1', 'u-dan'), resource: '' }] })),
      route('GET', '/api/v1/admin/users', () => json({ users: [userOf('user', { id: 'u-dan', email: 'dan@example.com' })] })),
    )
    renderRoutes([{ path: '/admin/audit', element: <AuditTrail /> }], '/admin/audit')
    expect(await screen.findByText('dan@example.com')).toHaveAttribute('title', 'u-dan')
  })

  it('says the trail is not available when the route is missing', async () => {
    serve()
    renderRoutes([{ path: '/admin/audit', element: <AuditTrail /> }], '/admin/audit')
    expect(await screen.findByText('The audit trail is not available')).toBeInTheDocument()
  })
})

describe('Alerts', () => {
  it('lists alerts and filters by minimum severity and period', async () => {
    const served = serve(
      route('GET', '/api/v1/admin/alerts', (_req, url) =>
        json({ alerts: url.searchParams.get('min_severity') === 'critical' ? [] : [alert('a1', 'high'), alert('a2', 'low'), { ...alert('a3', 'high'), subject: 'u-carol' }] }),
      ),
      route('GET', '/api/v1/admin/users', () => json({ users: [userOf('user', { id: 'u-carol', email: 'carol@example.com' })] })),
    )
    renderRoutes([{ path: '/admin/alerts', element: <Alerts /> }], '/admin/alerts')
    expect(await screen.findByText('Alert a1')).toBeInTheDocument()
    expect(screen.getAllByText(/mallory@example.com/)).toHaveLength(2)
    expect(await screen.findByText(/carol@example.com/)).toBeInTheDocument()
    expect(params(served.requests[0]!).get('limit')).toBe('50')

    await userEvent.selectOptions(screen.getByLabelText('Minimum severity'), 'critical')
    expect(await screen.findByText('No alerts match these filters')).toBeInTheDocument()
    expect(params(served.requests.at(-1)!).get('min_severity')).toBe('critical')

    const before = Date.now()
    await userEvent.selectOptions(screen.getByLabelText('Raised'), '24h')
    await waitFor(() => expect(params(served.requests.at(-1)!).has('since')).toBe(true))
    const since = Date.parse(params(served.requests.at(-1)!).get('since') ?? '')
    expect(since).toBeGreaterThanOrEqual(before - 86_400_000 - 1000)
    expect(since).toBeLessThanOrEqual(Date.now() - 86_400_000 + 1000)
  })

  it('lifts the response to an alert and shows it lifted', async () => {
    let response = 'raise_risk:taken, revoke_session:skipped'
    const served = serve(
      route('GET', '/api/v1/admin/alerts', () => json({ alerts: [{ ...alert('a1', 'high'), response }, alert('a2', 'low')] })),
      route('POST', '/api/v1/admin/alerts/a1/lift', () => {
        response = 'raise_risk:lifted, revoke_session:skipped'
        return json({ ...alert('a1', 'high'), response })
      }),
    )
    renderRoutes([{ path: '/admin/alerts', element: <Alerts /> }], '/admin/alerts')
    const lift = await screen.findByRole('button', { name: 'Lift the response to: alert a1' })
    // a2's response took no action that could be lifted
    expect(screen.queryByRole('button', { name: 'Lift the response to: alert a2' })).toBeNull()

    await userEvent.click(lift)
    expect(await screen.findByText(/Raise risk \(lifted\)/)).toBeInTheDocument()
    expect(served.requests.some((r) => r.method === 'POST' && r.url.endsWith('/api/v1/admin/alerts/a1/lift'))).toBe(true)
    expect(screen.queryByRole('button', { name: 'Lift the response to: alert a1' })).toBeNull()
  })

  it('knows which responses can be lifted', () => {
    expect(liftable('quarantine:taken, raise_risk:taken')).toBe(true)
    expect(liftable('quarantine:lifted, notify:taken')).toBe(false)
    expect(liftable('notify:taken, revoke_device:taken')).toBe(true)
    expect(liftable('quarantine:lifted, raise_risk:dry_run')).toBe(false)
    expect(liftable('account locked')).toBe(false)
  })

  it('puts the response of the detectors into words', () => {
    expect(describeResponse('raise_risk:taken, revoke_sessions:skipped')).toBe('Raise risk (taken), Revoke sessions (skipped)')
    expect(describeResponse('account locked')).toBe('Account locked')
  })

  it('offers older alerts when a full page came back', async () => {
    const served = serve(
      route('GET', '/api/v1/admin/alerts', (_req, url) => {
        const n = Number(url.searchParams.get('limit'))
        return json({ alerts: Array.from({ length: Math.min(n, 60) }, (_, i) => alert(`x${i}`, 'medium')) })
      }),
    )
    renderRoutes([{ path: '/admin/alerts', element: <Alerts /> }], '/admin/alerts')
    await userEvent.click(await screen.findByRole('button', { name: 'Show older alerts' }))
    expect(await screen.findByText('Alert x59')).toBeInTheDocument()
    expect(params(served.requests.at(-1)!).get('limit')).toBe('100')
    expect(screen.queryByRole('button', { name: 'Show older alerts' })).toBeNull()
  })

  it('says alerts are not available when the route is missing', async () => {
    serve()
    renderRoutes([{ path: '/admin/alerts', element: <Alerts /> }], '/admin/alerts')
    expect(await screen.findByText('Alerts are not available')).toBeInTheDocument()
    expect(screen.queryByLabelText('Minimum severity')).toBeNull()
  })
})
