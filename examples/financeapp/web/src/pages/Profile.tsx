import { useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import { useMySessionsQuery, useUpdateProfileMutation } from '../api/auth'
import { describeError } from '../api/problem'
import { useSession } from '../app/hooks'
import { Alert, Badge, Button, Card, Empty, Field, Input, Loading, PageHeader } from '../components/ui'
import { formatDateTime, label } from '../lib/format'

function NameForm({ name }: { name: string }) {
  const [value, setValue] = useState(name)
  const [update, { isLoading, error, isSuccess }] = useUpdateProfileMutation()
  const submit = (e: FormEvent) => {
    e.preventDefault()
    update({ display_name: value.trim() })
  }
  return (
    <form onSubmit={submit} className="space-y-4">
      {error && <Alert>{describeError(error).message}</Alert>}
      {isSuccess && <Alert tone="green">Your name was saved.</Alert>}
      <Field label="Display name">{(p) => <Input {...p} value={value} onChange={(e) => setValue(e.target.value)} required />}</Field>
      <Button type="submit" busy={isLoading} disabled={!value.trim() || value === name}>
        Save
      </Button>
    </form>
  )
}

function MySessions() {
  const report = useMySessionsQuery()
  if (report.isLoading) return <Loading />
  if (report.isError) return <Alert>{describeError(report.error).message}</Alert>
  const events = (report.data?.events ?? []).slice(0, 8)
  if (events.length === 0) return <Empty title="No sign-ins recorded yet" />
  return (
    <ul className="-my-2 divide-y divide-slate-100" aria-label="Recent session events">
      {events.map((e) => (
        <li key={e.id} className="flex items-center justify-between gap-3 py-2 text-sm">
          <span>
            <Badge tone={e.event.includes('fail') || e.event.includes('reuse') || e.event === 'locked' ? 'red' : 'slate'}>{label(e.event)}</Badge>{' '}
            <span className="text-slate-600">{e.address}</span>
          </span>
          <span className="text-xs text-slate-500">{formatDateTime(e.at)}</span>
        </li>
      ))}
    </ul>
  )
}

/** Profile shows and edits the signed-in person's account and second factor. */
export function Profile() {
  const { user } = useSession()
  if (!user) return null
  return (
    <>
      <PageHeader title="Profile & security" subtitle="Your account details and how you sign in." />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Account">
          <dl className="mb-6 grid grid-cols-3 gap-y-3 text-sm">
            <dt className="text-slate-500">Email</dt>
            <dd className="col-span-2 font-medium text-slate-900">{user.email}</dd>
            <dt className="text-slate-500">Role</dt>
            <dd className="col-span-2">
              <Badge tone="brand">{label(user.role ?? 'none')}</Badge>
            </dd>
            <dt className="text-slate-500">Member since</dt>
            <dd className="col-span-2 text-slate-900">{formatDateTime(user.created_at)}</dd>
          </dl>
          <NameForm name={user.display_name} />
        </Card>
        <Card title="Two-factor authentication">
          {user.totp_enabled ? (
            <>
              <p className="text-sm text-slate-700">
                <Badge tone="green">On</Badge> Your sign-ins and sensitive actions (sharing, role changes) ask for a
                code from your authenticator app.
              </p>
            </>
          ) : (
            <>
              <p className="text-sm text-slate-700">
                <Badge tone="amber">Off</Badge> Add a second factor so that a stolen password is not enough. Sharing
                your data and changing roles require it.
              </p>
              <Link
                to="/profile/totp"
                className="mt-4 inline-flex rounded-lg bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700"
              >
                Set up authenticator app
              </Link>
            </>
          )}
        </Card>
        <Card title="Recent activity" className="lg:col-span-2">
          <MySessions />
        </Card>
      </div>
    </>
  )
}
