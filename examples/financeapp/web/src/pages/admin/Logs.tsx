import { useState } from 'react'
import { useAlertsQuery, useAuditTrailQuery, useLiftAlertMutation, useSessionLogQuery, useUsersQuery } from '../../api/admin'
import { describeError } from '../../api/problem'
import { severities, type AuditQuery, type SecurityAlert, type Severity } from '../../api/types'
import { Alert, Badge, Button, Card, Empty, Field, Input, Loading, PageHeader, Select, TableScroll } from '../../components/ui'
import { dayEnd, dayStart, formatDateTime, label } from '../../lib/format'

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

/** AuditFilter is what the audit trail form edits; days are local YYYY-MM-DD. */
interface AuditFilter {
  actor: string
  action: string
  decision: '' | 'allow' | 'deny'
  fromDay: string
  toDay: string
}

const noAuditFilter: AuditFilter = { actor: '', action: '', decision: '', fromDay: '', toDay: '' }

/** auditPageSize is how many events one page of the audit trail shows. */
export const auditPageSize = 25

/** auditQuery turns the form into the route's parameters (RFC 3339 bounds). */
export function auditQuery(f: AuditFilter, cursor?: string): AuditQuery {
  return {
    actor: f.actor.trim() || undefined,
    action: f.action.trim() || undefined,
    decision: f.decision || undefined,
    from: dayStart(f.fromDay) || undefined,
    to: dayEnd(f.toDay) || undefined,
    limit: auditPageSize,
    cursor,
  }
}

/** AuditTrail shows the audit events, filtered by actor, action, decision and time. */
export function AuditTrail() {
  const [applied, setApplied] = useState<AuditFilter>(noAuditFilter)
  const [draft, setDraft] = useState<AuditFilter>(noAuditFilter)
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined])
  const badRange = Boolean(draft.fromDay && draft.toDay && draft.fromDay > draft.toDay)
  const trail = useAuditTrailQuery(auditQuery(applied, cursors[cursors.length - 1]))
  const users = useUsersQuery({})
  // The trail names people by account id; the console shows their email.
  const actor = (id: string) => users.data?.find((u) => u.id === id)?.email ?? id
  const apply = (f: AuditFilter) => {
    setDraft(f)
    if (f.fromDay && f.toDay && f.fromDay > f.toDay) return
    setApplied(f)
    setCursors([undefined])
  }
  const filtered = Object.values(applied).some(Boolean)
  const missing = trail.isError && describeError(trail.error).status === 404
  return (
    <>
      <PageHeader title="Audit trail" subtitle="Every access decision of the platform, allowed or denied, with its reason." />
      <Card>
        <form
          role="search"
          aria-label="Filter audit events"
          className="mb-5 grid gap-3 sm:grid-cols-2 lg:grid-cols-3"
          onSubmit={(e) => {
            e.preventDefault()
            apply(draft)
          }}
        >
          <Field label="Actor">{(p) => <Input {...p} placeholder="user id or email" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} />}</Field>
          <Field label="Action">{(p) => <Input {...p} placeholder="e.g. transactions.list" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} />}</Field>
          <Field label="Decision">
            {(p) => (
              <Select {...p} value={draft.decision} onChange={(e) => apply({ ...draft, decision: e.target.value as AuditFilter['decision'] })}>
                <option value="">Any</option>
                <option value="allow">Allowed</option>
                <option value="deny">Denied</option>
              </Select>
            )}
          </Field>
          <Field label="From">{(p) => <Input {...p} type="date" value={draft.fromDay} max={draft.toDay || undefined} onChange={(e) => apply({ ...draft, fromDay: e.target.value })} />}</Field>
          <Field label="To" error={badRange ? 'Pick a day on or after the first one.' : undefined}>
            {(p) => <Input {...p} type="date" value={draft.toDay} min={draft.fromDay || undefined} onChange={(e) => apply({ ...draft, toDay: e.target.value })} />}
          </Field>
          <div className="flex items-end gap-2">
            <Button type="submit" variant="secondary" className="flex-1">
              Apply
            </Button>
            <Button variant="ghost" disabled={!filtered && !Object.values(draft).some(Boolean)} onClick={() => apply(noAuditFilter)}>
              Clear
            </Button>
          </div>
        </form>
        {trail.isLoading ? (
          <Loading />
        ) : missing ? (
          <Empty title="The audit trail is not available">This platform does not serve its audit trail to the console yet.</Empty>
        ) : trail.isError ? (
          <Alert action={<Button variant="secondary" onClick={() => trail.refetch()}>Retry</Button>}>{describeError(trail.error).message}</Alert>
        ) : (trail.data?.items ?? []).length === 0 && cursors.length === 1 ? (
          <Empty title={filtered ? 'No events match these filters' : 'No events recorded yet'}>
            {filtered ? 'Try a wider date range or clear a filter.' : undefined}
          </Empty>
        ) : (
          <div aria-busy={trail.isFetching || undefined}>
            <TableScroll label="Audit events table">
              <table className="min-w-full divide-y divide-slate-200">
                <caption className="sr-only">Audit events, page {cursors.length}</caption>
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
                      <td className="td tabular-nums">{formatDateTime(e.time)}</td>
                      <td className="td max-w-[14rem] truncate" title={e.actor}>
                        {e.actor ? actor(e.actor) : '—'}
                      </td>
                      <td className="td max-w-xs truncate font-mono text-xs" title={e.action}>
                        {e.action}
                      </td>
                      <td className="td max-w-xs truncate font-mono text-xs" title={e.resource}>
                        {e.resource || '—'}
                      </td>
                      <td className="td">
                        <Badge tone={e.decision === 'allow' ? 'green' : 'red'}>{label(e.decision)}</Badge>
                      </td>
                      <td className="td font-mono text-xs">{e.reason || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            <nav aria-label="Pagination" className="flex items-center justify-between gap-3 pt-4 text-sm text-slate-600">
              <p>Page {cursors.length}</p>
              <div className="flex gap-2">
                <Button variant="secondary" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                  Newer
                </Button>
                <Button variant="secondary" disabled={!trail.data?.next} onClick={() => trail.data?.next && setCursors([...cursors, trail.data.next])}>
                  Older
                </Button>
              </div>
            </nav>
          </div>
        )}
      </Card>
    </>
  )
}

const severityTone = { low: 'slate', medium: 'amber', high: 'red', critical: 'red' } as const

/**
 * describeResponse turns the detectors' outcomes ("raise_risk:taken,
 * revoke:skipped") into words ("Raise risk (taken), Revoke (skipped)").
 */
export function describeResponse(response: string): string {
  return response
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [action = '', outcome] = part.split(':')
      return outcome ? `${label(action)} (${outcome.replace(/_/g, ' ')})` : label(action)
    })
    .join(', ')
}

/**
 * liftable reports whether an alert's response took an action that can be
 * lifted: a revocation or a risk raise, not a notification.
 */
export function liftable(response: string): boolean {
  return response.split(',').some((part) => {
    const [action, outcome] = part.trim().split(':')
    return outcome === 'taken' && action !== 'notify'
  })
}

/**
 * AlertRow shows one alert, with a Lift button while an action of its
 * response (a revocation, a risk raise) is in force.
 */
function AlertRow({ alert: a, subject }: { alert: SecurityAlert; subject: (s: string) => string }) {
  const [lift, state] = useLiftAlertMutation()
  return (
    <li className="flex flex-col gap-1 py-4 sm:flex-row sm:items-start sm:justify-between sm:gap-4">
      <div className="min-w-0">
        <div className="flex flex-wrap items-center gap-2">
          <Badge tone={severityTone[a.severity] ?? 'slate'}>{label(a.severity)}</Badge>
          <p className="font-medium break-words text-slate-900">{headline(a.summary)}</p>
        </div>
        <p className="mt-1 text-sm break-all text-slate-600">
          <span className="font-mono text-xs">{a.rule}</span>
          {a.subject ? ` · ${subject(a.subject)}` : ''}
        </p>
        {a.response && <p className="mt-1 text-sm text-slate-700">Response: {describeResponse(a.response)}</p>}
        {state.error && (
          <div className="mt-2">
            <Alert>{describeError(state.error).message}</Alert>
          </div>
        )}
      </div>
      <div className="flex shrink-0 items-center gap-3 sm:flex-col sm:items-end">
        <p className="text-xs whitespace-nowrap text-slate-500 tabular-nums">
          <time dateTime={a.time}>{formatDateTime(a.time)}</time>
        </p>
        {a.response && liftable(a.response) && (
          <Button
            variant="secondary"
            busy={state.isLoading}
            onClick={() => lift(a.id)}
            aria-label={`Lift the response to: ${a.summary}`}
            title="Withdraw the revocations and risk raises of this response now"
          >
            Lift
          </Button>
        )}
      </div>
    </li>
  )
}

/** headline capitalises an alert's summary. */
function headline(summary: string): string {
  return summary.charAt(0).toUpperCase() + summary.slice(1)
}

const sinceChoices = [
  { value: '', label: 'Any time' },
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
]

/** alertsPageSize is how many alerts the page asks for at first. */
export const alertsPageSize = 50

/** Alerts shows the security alerts raised by the detectors and what was done. */
export function Alerts() {
  const [minSeverity, setMinSeverity] = useState<Severity | ''>('')
  // The window is fixed when it is chosen, so the query (and its cache entry)
  // stays the same until the admin picks another one.
  const [since, setSince] = useState({ choice: '', at: '' })
  const [limit, setLimit] = useState(alertsPageSize)
  const alerts = useAlertsQuery({ min_severity: minSeverity, since: since.at, limit })
  const users = useUsersQuery({})
  // Detectors name people by account id; the console shows their email.
  const subject = (s: string) => users.data?.find((u) => u.id === s)?.email ?? s
  const missing = alerts.isError && describeError(alerts.error).status === 404
  const filtered = Boolean(minSeverity || since.at)
  return (
    <>
      <PageHeader title="Security alerts" subtitle="Raised by the detectors over the audit stream and the runtime sensors, newest first." />
      <Card
        actions={
          !missing && (
          <form role="search" aria-label="Filter alerts" className="flex flex-wrap items-end gap-3" onSubmit={(e) => e.preventDefault()}>
            <Field label="Minimum severity" className="w-44">
              {(p) => (
                <Select
                  {...p}
                  value={minSeverity}
                  onChange={(e) => {
                    setMinSeverity(e.target.value as Severity | '')
                    setLimit(alertsPageSize)
                  }}
                >
                  <option value="">Any</option>
                  {severities.map((s) => (
                    <option key={s} value={s}>
                      {label(s)}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label="Raised" className="w-44">
              {(p) => (
                <Select
                  {...p}
                  value={since.choice}
                  onChange={(e) => {
                    const c = sinceChoices.find((x) => x.value === e.target.value)
                    setSince({ choice: c?.value ?? '', at: c?.ms ? new Date(Date.now() - c.ms).toISOString() : '' })
                    setLimit(alertsPageSize)
                  }}
                >
                  {sinceChoices.map((c) => (
                    <option key={c.value} value={c.value}>
                      {c.label}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Button variant="secondary" busy={alerts.isFetching && !alerts.isLoading} onClick={() => alerts.refetch()}>
              Refresh
            </Button>
          </form>
          )
        }
      >
        {alerts.isLoading ? (
          <Loading />
        ) : missing ? (
          <Empty title="Alerts are not available">This platform does not serve security alerts to the console yet.</Empty>
        ) : alerts.isError ? (
          <Alert action={<Button variant="secondary" onClick={() => alerts.refetch()}>Retry</Button>}>{describeError(alerts.error).message}</Alert>
        ) : (alerts.data ?? []).length === 0 ? (
          filtered ? (
            <Empty title="No alerts match these filters">Try a lower severity or a longer period.</Empty>
          ) : (
            <Empty title="No alerts">Nothing suspicious has been detected.</Empty>
          )
        ) : (
          <>
            <ul className="-my-4 divide-y divide-slate-100" aria-label="Alerts" aria-busy={alerts.isFetching || undefined}>
              {alerts.data?.map((a) => (
                <AlertRow key={a.id} alert={a} subject={subject} />
              ))}
            </ul>
            {(alerts.data?.length ?? 0) >= limit && limit < 500 && (
              <div className="mt-6 border-t border-slate-100 pt-4 text-center">
                <Button variant="secondary" busy={alerts.isFetching} onClick={() => setLimit(Math.min(500, limit * 2))}>
                  Show older alerts
                </Button>
              </div>
            )}
          </>
        )}
      </Card>
    </>
  )
}
