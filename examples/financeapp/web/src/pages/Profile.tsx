import { useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import { useChangePasswordMutation, useDisableTotpMutation, useMySessionsQuery, useUpdateProfileMutation } from '../api/auth'
import { describeError } from '../api/problem'
import { useSession } from '../app/hooks'
import { Alert, Badge, Button, Card, Dialog, Empty, Field, Input, Loading, PageHeader } from '../components/ui'
import { minPassword } from '../lib/account'
import { formatDateTime, label } from '../lib/format'

const unavailable = 'This platform does not offer it yet.'

/** PasswordForm changes the password; the service asks for a step-up first. */
export function PasswordForm() {
  const blank = { current: '', next: '', confirm: '' }
  const [form, setForm] = useState(blank)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [change, { isLoading, error, isSuccess, reset }] = useChangePasswordMutation()
  const problem = error ? describeError(error) : null
  const fieldError = (name: string) => errors[name] ?? problem?.fields[name === 'current' ? 'current_password' : name === 'next' ? 'new_password' : name]
  const set = (name: keyof typeof blank) => (e: { target: { value: string } }) => {
    setForm({ ...form, [name]: e.target.value })
    setErrors({})
    if (isSuccess || error) reset()
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const errs: Record<string, string> = {}
    if (!form.current) errs.current = 'Enter your current password.'
    if (form.next.length < minPassword) errs.next = `Use at least ${minPassword} characters.`
    else if (form.next === form.current) errs.next = 'Choose a password different from the current one.'
    if (form.confirm !== form.next) errs.confirm = 'The passwords do not match.'
    setErrors(errs)
    if (Object.keys(errs).length > 0) return
    const res = await change({ current_password: form.current, new_password: form.next })
    if (!('error' in res)) setForm(blank)
  }

  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Change password" noValidate>
      {problem && !Object.keys(problem.fields).length && <Alert>{problem.status === 404 ? `Changing the password is not available. ${unavailable}` : problem.message}</Alert>}
      {isSuccess && <Alert tone="green">Your password was changed. Your other devices will have to sign in again.</Alert>}
      <Field label="Current password" error={fieldError('current')}>
        {(p) => <Input {...p} type="password" autoComplete="current-password" value={form.current} onChange={set('current')} />}
      </Field>
      <Field label="New password" hint={`At least ${minPassword} characters.`} error={fieldError('next')}>
        {(p) => <Input {...p} type="password" autoComplete="new-password" value={form.next} onChange={set('next')} />}
      </Field>
      <Field label="Confirm new password" error={fieldError('confirm')}>
        {(p) => <Input {...p} type="password" autoComplete="new-password" value={form.confirm} onChange={set('confirm')} />}
      </Field>
      <Button type="submit" busy={isLoading}>
        Change password
      </Button>
    </form>
  )
}

/** TotpOff turns the second factor off after a confirmation and a step-up. */
export function TotpOff() {
  const [asking, setAsking] = useState(false)
  const [disable, { isLoading, error, reset }] = useDisableTotpMutation()
  const problem = error ? describeError(error) : null
  return (
    <>
      <Button
        variant="secondary"
        className="mt-4"
        onClick={() => {
          reset()
          setAsking(true)
        }}
      >
        Turn off two-factor authentication
      </Button>
      {asking && (
        <Dialog title="Turn off two-factor authentication?" onClose={() => setAsking(false)}>
          <p className="text-sm text-slate-700">
            Your password alone will then sign you in, and sharing your data will ask for your password instead of a code. You may be asked
            for a code from your authenticator app one last time.
          </p>
          {problem && (
            <div className="mt-3">
              <Alert>{problem.status === 404 ? `Turning off two-factor authentication is not available. ${unavailable}` : problem.message}</Alert>
            </div>
          )}
          <div className="mt-5 flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setAsking(false)}>
              Keep it on
            </Button>
            <Button
              variant="danger"
              busy={isLoading}
              onClick={async () => {
                const res = await disable()
                if (!('error' in res)) setAsking(false)
              }}
            >
              Turn off
            </Button>
          </div>
        </Dialog>
      )}
    </>
  )
}

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
      <div className="grid items-start gap-6 lg:grid-cols-2">
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
        <Card title="Two-factor authentication" actions={user.totp_enabled ? <Badge tone="green">On</Badge> : <Badge tone="amber">Off</Badge>}>
          {user.totp_enabled ? (
            <>
              <p className="text-sm text-slate-700">
                Your sign-ins and sensitive actions (sharing, role changes) ask for a
                code from your authenticator app.
              </p>
              <TotpOff />
            </>
          ) : (
            <>
              <p className="text-sm text-slate-700">
                Add a second factor so that a stolen password is not enough. Sharing
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
        <Card title="Password">
          <PasswordForm />
        </Card>
        <Card title="Recent activity">
          <MySessions />
        </Card>
      </div>
    </>
  )
}
