import { useState } from 'react'
import { useAlertsQuery, useAuditTrailQuery, useSessionLogQuery, useUsersQuery } from '../../api/admin'
import { describeError } from '../../api/problem'
import type { AuditQuery } from '../../api/types'
import { Alert, Badge, Button, Card, Empty, Field, Input, Loading, PageHeader, Select, TableScroll } from '../../components/ui'
import { formatDateTime, label } from '../../lib/format'

const eventTone: Record<string, 'green' | 'red' | 'amber' | 'slate' | 'blue'> = {
  login: 'green',
  refresh: 'slate',
  logout: 'blue',
  revoke: 'amber',
  login_failed: 'red',
  locked: 'red',
  refresh_reuse: 'red',
}

/** SessionLog shows sign-ins, refreshes, sign-outs, revocations and failures. */
export function SessionLog() {
  const [userId, setUserId] = useState('')
  const [limit, setLimit] = useState(50)
  const users = useUsersQuery({})
  const log = useSessionLogQuery({ user_id: userId || undefined, limit })
  const email = (id: string) => users.data?.find((u) => u.id === id)?.email ?? id
  return (
    <>
      <PageHeader title="Session log" subtitle="Every sign-in, refresh, sign-out, revocation and failure, with address and browser." />
      <Card
        actions={
          <Field label="User" className="w-64">
            {(p) => (
              <Select {...p} value={userId} onChange={(e) => setUserId(e.target.value)}>
                <option value="">All users</option>
                {(users.data ?? []).map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.email}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        }
      >
        {log.isLoading ? (
          <Loading />
        ) : log.isError ? (
          <Alert action={<Button variant="secondary" onClick={() => log.refetch()}>Retry</Button>}>{describeError(log.error).message}</Alert>
        ) : (log.data ?? []).length === 0 ? (
          <Empty title="No session events" />
        ) : (
          <>
            <TableScroll label="Session events table">
              <table className="min-w-full divide-y divide-slate-200">
                <caption className="sr-only">Session events</caption>
                <thead className="bg-slate-50">
                  <tr>
                    <th scope="col" className="th">Time</th>
                    <th scope="col" className="th">User</th>
                    <th scope="col" className="th">Event</th>
                    <th scope="col" className="th">Address</th>
                    <th scope="col" className="th">Browser</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {log.data?.map((e) => (
                    <tr key={e.id}>
                      <td className="td">{formatDateTime(e.at)}</td>
                      <td className="td">{email(e.user_id)}</td>
                      <td className="td">
                        <Badge tone={eventTone[e.event] ?? 'slate'}>{label(e.event)}</Badge>
                      </td>
                      <td className="td font-mono text-xs">{e.address}</td>
                      <td className="td max-w-xs truncate text-xs" title={e.user_agent}>
                        {e.user_agent}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            {log.data && log.data.length >= limit && limit < 500 && (
              <div className="pt-4 text-center">
                <Button variant="secondary" busy={log.isFetching} onClick={() => setLimit(Math.min(500, limit * 2))}>
                  Show older events
                </Button>
              </div>
            )}
          </>
        )}
      </Card>
    </>
  )
}

/** AuditTrail shows the audit events, filtered by actor, action, decision and time. */
export function AuditTrail() {
  const [q, setQ] = useState<AuditQuery>({ limit: 25 })
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined])
  const [draft, setDraft] = useState({ actor: '', action: '' })
  const trail = useAuditTrailQuery({ ...q, cursor: cursors[cursors.length - 1] })
  const set = (patch: Partial<AuditQuery>) => {
    setQ({ ...q, ...patch })
    setCursors([undefined])
  }
  const missing = trail.isError && describeError(trail.error).status === 404
  return (
    <>
      <PageHeader title="Audit trail" subtitle="Every access decision of the platform, allowed or denied, with its reason." />
      <Card>
        <form
          role="search"
          aria-label="Filter audit events"
          className="mb-5 grid gap-3 sm:grid-cols-2 lg:grid-cols-5"
          onSubmit={(e) => {
            e.preventDefault()
            set({ actor: draft.actor.trim(), action: draft.action.trim() })
          }}
        >
          <Field label="Actor">{(p) => <Input {...p} placeholder="user id or email" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} />}</Field>
          <Field label="Action">{(p) => <Input {...p} placeholder="e.g. transactions.list" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} />}</Field>
          <Field label="Decision">
            {(p) => (
              <Select {...p} value={q.decision ?? ''} onChange={(e) => set({ decision: e.target.value as AuditQuery['decision'] })}>
                <option value="">Any</option>
                <option value="allow">Allowed</option>
                <option value="deny">Denied</option>
              </Select>
            )}
          </Field>
          <Field label="From">{(p) => <Input {...p} type="date" value={q.from ?? ''} onChange={(e) => set({ from: e.target.value })} />}</Field>
          <div className="flex items-end">
            <Button type="submit" variant="secondary" className="w-full">
              Apply filters
            </Button>
          </div>
        </form>
        {trail.isLoading ? (
          <Loading />
        ) : missing ? (
          <Empty title="The audit trail is not available">This platform does not serve its audit trail to the console yet.</Empty>
        ) : trail.isError ? (
          <Alert action={<Button variant="secondary" onClick={() => trail.refetch()}>Retry</Button>}>{describeError(trail.error).message}</Alert>
        ) : (trail.data?.items ?? []).length === 0 ? (
          <Empty title="No events match" />
        ) : (
          <>
            <TableScroll label="Audit events table">
              <table className="min-w-full divide-y divide-slate-200">
                <caption className="sr-only">Audit events</caption>
                <thead className="bg-slate-50">
                  <tr>
                    <th scope="col" className="th">Time</th>
                    <th scope="col" className="th">Actor</th>
                    <th scope="col" className="th">Action</th>
                    <th scope="col" className="th">Resource</th>
                    <th scope="col" className="th">Decision</th>
                    <th scope="col" className="th">Reason</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {trail.data?.items.map((e) => (
                    <tr key={e.id}>
                      <td className="td">{formatDateTime(e.time)}</td>
                      <td className="td">{e.actor}</td>
                      <td className="td font-mono text-xs">{e.action}</td>
                      <td className="td max-w-xs truncate font-mono text-xs">{e.resource}</td>
                      <td className="td">
                        <Badge tone={e.decision === 'allow' ? 'green' : 'red'}>{label(e.decision)}</Badge>
                      </td>
                      <td className="td text-xs">{e.reason ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            <nav aria-label="Pagination" className="flex justify-end gap-2 pt-4">
              <Button variant="secondary" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                Newer
              </Button>
              <Button variant="secondary" disabled={!trail.data?.next} onClick={() => trail.data?.next && setCursors([...cursors, trail.data.next])}>
                Older
              </Button>
            </nav>
          </>
        )}
      </Card>
    </>
  )
}

const severityTone = { low: 'slate', medium: 'amber', high: 'red', critical: 'red' } as const

/** Alerts shows the security alerts raised by the detectors and what was done. */
export function Alerts() {
  const alerts = useAlertsQuery()
  const missing = alerts.isError && describeError(alerts.error).status === 404
  return (
    <>
      <PageHeader title="Security alerts" subtitle="Raised by the detectors over the audit stream and the runtime sensors." />
      <Card>
        {alerts.isLoading ? (
          <Loading />
        ) : missing ? (
          <Empty title="Alerts are not available">This platform does not serve security alerts to the console yet.</Empty>
        ) : alerts.isError ? (
          <Alert action={<Button variant="secondary" onClick={() => alerts.refetch()}>Retry</Button>}>{describeError(alerts.error).message}</Alert>
        ) : (alerts.data ?? []).length === 0 ? (
          <Empty title="No alerts">Nothing suspicious has been detected.</Empty>
        ) : (
          <ul className="-my-4 divide-y divide-slate-100" aria-label="Alerts">
            {alerts.data?.map((a) => (
              <li key={a.id} className="flex flex-wrap items-start justify-between gap-3 py-4">
                <div className="min-w-0">
                  <div className="flex items-center gap-2">
                    <Badge tone={severityTone[a.severity] ?? 'slate'}>{label(a.severity)}</Badge>
                    <p className="font-medium text-slate-900">{a.summary}</p>
                  </div>
                  <p className="mt-1 text-sm text-slate-600">
                    <span className="font-mono text-xs">{a.rule}</span>
                    {a.subject ? ` · ${a.subject}` : ''}
                  </p>
                  {a.response && <p className="mt-1 text-sm text-slate-700">Response: {a.response}</p>}
                </div>
                <p className="text-xs text-slate-500">{formatDateTime(a.time)}</p>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  )
}
