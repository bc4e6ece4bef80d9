import { useState, type FormEvent } from 'react'
import { useAuditorsQuery, useCreateGrantMutation, useGrantsQuery, useRevokeGrantMutation } from '../api/finance'
import { describeError } from '../api/problem'
import { categories, type Category, type Grant, type ScopeKind } from '../api/types'
import { Alert, Badge, Button, Card, Dialog, Empty, Field, Input, Loading, PageHeader, Select } from '../components/ui'
import { formatDateTime, label, today } from '../lib/format'
import { describeScope, grantState } from '../lib/grants'

function inDays(days: number): string {
  const d = new Date()
  d.setDate(d.getDate() + days)
  return today(d)
}

function GrantForm({ onDone }: { onDone: () => void }) {
  const auditors = useAuditorsQuery()
  const [create, { isLoading, error }] = useCreateGrantMutation()
  const [auditor, setAuditor] = useState('')
  const [scope, setScope] = useState<ScopeKind>('all')
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [cats, setCats] = useState<Category[]>([])
  const [expires, setExpires] = useState(inDays(30))
  const [local, setLocal] = useState<Record<string, string>>({})

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const errs: Record<string, string> = {}
    if (!auditor) errs.auditor_id = 'Pick an auditor.'
    if (scope === 'date_range' && (!from || !to)) errs.date_to = 'Pick both dates.'
    if (scope === 'date_range' && from && to && to < from) errs.date_to = 'The end is before the start.'
    if (scope === 'categories' && cats.length === 0) errs.categories = 'Pick at least one category.'
    if (!expires || expires <= today()) errs.expires_at = 'Pick a day after today.'
    setLocal(errs)
    if (Object.keys(errs).length > 0) return
    const res = await create({
      auditor_id: auditor,
      scope,
      ...(scope === 'date_range' ? { date_from: from, date_to: to } : {}),
      ...(scope === 'categories' ? { categories: cats } : {}),
      expires_at: new Date(`${expires}T23:59:59`).toISOString(),
    })
    if (!('error' in res)) onDone()
  }

  const err = error ? describeError(error) : null
  const fieldError = (k: string) => local[k] ?? err?.fields[k]
  if (auditors.isLoading) return <Loading label="Loading auditors…" />
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {err && Object.keys(err.fields).length === 0 && <Alert>{err.message}</Alert>}
      {auditors.isError && <Alert>{describeError(auditors.error).message}</Alert>}
      <Field label="Auditor" error={fieldError('auditor_id')}>
        {(p) => (
          <Select {...p} value={auditor} onChange={(e) => setAuditor(e.target.value)}>
            <option value="">Choose an auditor…</option>
            {(auditors.data ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.display_name} ({a.email})
              </option>
            ))}
          </Select>
        )}
      </Field>
      <fieldset>
        <legend className="mb-2 text-sm font-medium text-slate-700">What they can see</legend>
        <div className="grid gap-2 sm:grid-cols-3">
          {(['all', 'date_range', 'categories'] as const).map((s) => (
            <label key={s} className={`flex cursor-pointer items-center gap-2 rounded-lg border px-3 py-2 text-sm ${scope === s ? 'border-brand-500 bg-brand-50 text-brand-900' : 'border-slate-300'}`}>
              <input type="radio" name="scope" value={s} checked={scope === s} onChange={() => setScope(s)} className="accent-brand-600" />
              {s === 'all' ? 'Everything' : s === 'date_range' ? 'A date range' : 'Some categories'}
            </label>
          ))}
        </div>
      </fieldset>
      {scope === 'date_range' && (
        <div className="grid grid-cols-2 gap-3">
          <Field label="From">{(p) => <Input {...p} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />}</Field>
          <Field label="To" error={fieldError('date_to')}>
            {(p) => <Input {...p} type="date" value={to} onChange={(e) => setTo(e.target.value)} />}
          </Field>
        </div>
      )}
      {scope === 'categories' && (
        <fieldset>
          <legend className="mb-2 text-sm font-medium text-slate-700">Categories</legend>
          <div className="flex flex-wrap gap-4">
            {categories.map((c) => (
              <label key={c} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  className="accent-brand-600"
                  checked={cats.includes(c)}
                  onChange={(e) => setCats(e.target.checked ? [...cats, c] : cats.filter((x) => x !== c))}
                />
                {label(c)}
              </label>
            ))}
          </div>
          {fieldError('categories') && <p className="mt-1 text-xs text-rose-700">{fieldError('categories')}</p>}
        </fieldset>
      )}
      <Field label="Access ends on" hint="Access stops at the end of this day, or when you revoke it." error={fieldError('expires_at')}>
        {(p) => <Input {...p} type="date" min={inDays(1)} max={inDays(366)} value={expires} onChange={(e) => setExpires(e.target.value)} />}
      </Field>
      <div className="flex justify-end gap-2 pt-2">
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" busy={isLoading}>
          Share
        </Button>
      </div>
    </form>
  )
}

function GrantRow({ g, onRevoke }: { g: Grant; onRevoke: (g: Grant) => void }) {
  const state = grantState(g)
  return (
    <li className="flex flex-wrap items-center justify-between gap-4 py-4">
      <div className="min-w-0">
        <p className="font-medium text-slate-900">{g.auditor?.display_name ?? g.auditor_id}</p>
        <p className="text-sm text-slate-600">{g.auditor?.email}</p>
        <p className="mt-1 text-sm text-slate-700">{describeScope(g)}</p>
      </div>
      <div className="flex items-center gap-3">
        <div className="text-right text-xs text-slate-500">
          <Badge tone={state === 'active' ? 'green' : state === 'revoked' ? 'red' : 'slate'}>{label(state)}</Badge>
          <p className="mt-1">{state === 'revoked' ? `Revoked ${formatDateTime(g.revoked_at ?? '')}` : `Until ${formatDateTime(g.expires_at)}`}</p>
        </div>
        {state === 'active' && (
          <Button variant="secondary" onClick={() => onRevoke(g)} aria-label={`Revoke access of ${g.auditor?.display_name ?? g.auditor_id}`}>
            Revoke
          </Button>
        )}
      </div>
    </li>
  )
}

/** Sharing grants auditors read access to part of a user's data, lists and revokes grants. */
export function Sharing() {
  const grants = useGrantsQuery()
  const [adding, setAdding] = useState(false)
  const [revoking, setRevoking] = useState<Grant | null>(null)
  const [revoke, revokeState] = useRevokeGrantMutation()
  const list = grants.data ?? []
  const active = list.filter((g) => grantState(g) === 'active')
  const past = list.filter((g) => grantState(g) !== 'active')

  return (
    <>
      <PageHeader
        title="Sharing"
        subtitle="Auditors see only what you share, read-only, until the access ends or you revoke it."
        actions={<Button onClick={() => setAdding(true)}>Share with an auditor</Button>}
      />
      <div className="space-y-6">
        <Card title="Active access">
          {grants.isLoading ? (
            <Loading />
          ) : grants.isError ? (
            <Alert action={<Button variant="secondary" onClick={() => grants.refetch()}>Retry</Button>}>{describeError(grants.error).message}</Alert>
          ) : active.length === 0 ? (
            <Empty title="You are not sharing with anyone">Share with an auditor to let them review your records.</Empty>
          ) : (
            <ul className="-my-4 divide-y divide-slate-100" aria-label="Active grants">
              {active.map((g) => (
                <GrantRow key={g.id} g={g} onRevoke={setRevoking} />
              ))}
            </ul>
          )}
        </Card>
        {past.length > 0 && (
          <Card title="Ended">
            <ul className="-my-4 divide-y divide-slate-100" aria-label="Ended grants">
              {past.map((g) => (
                <GrantRow key={g.id} g={g} onRevoke={setRevoking} />
              ))}
            </ul>
          </Card>
        )}
      </div>
      {adding && (
        <Dialog title="Share with an auditor" description="You will be asked to confirm it is you." onClose={() => setAdding(false)} wide>
          <GrantForm onDone={() => setAdding(false)} />
        </Dialog>
      )}
      {revoking && (
        <Dialog title="Revoke access?" onClose={() => setRevoking(null)}>
          <p className="text-sm text-slate-700">
            {revoking.auditor?.display_name ?? 'The auditor'} loses access to your data at once, on their next request.
          </p>
          {revokeState.error && <div className="mt-3"><Alert>{describeError(revokeState.error).message}</Alert></div>}
          <div className="mt-5 flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setRevoking(null)}>
              Cancel
            </Button>
            <Button
              variant="danger"
              busy={revokeState.isLoading}
              onClick={async () => {
                const res = await revoke(revoking.id)
                if (!('error' in res)) setRevoking(null)
              }}
            >
              Revoke access
            </Button>
          </div>
        </Dialog>
      )}
    </>
  )
}
