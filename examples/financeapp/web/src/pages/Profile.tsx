import { useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import { useChangePasswordMutation, useDisableTotpMutation, useUpdateProfileMutation } from '../api/auth'
import { describeError } from '../api/problem'
import { useSession } from '../app/hooks'
import { Alert, Badge, Button, Card, Field, Input, PageHeader } from '../components/ui'
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

function PasswordForm() {
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [change, { isLoading, error, isSuccess }] = useChangePasswordMutation()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const res = await change({ current_password: current, new_password: next })
    if (!('error' in res)) {
      setCurrent('')
      setNext('')
    }
  }
  return (
    <form onSubmit={submit} className="space-y-4">
      {error && <Alert>{describeError(error).message}</Alert>}
      {isSuccess && <Alert tone="green">Your password was changed.</Alert>}
      <Field label="Current password">
        {(p) => <Input {...p} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />}
      </Field>
      <Field label="New password" hint="At least 12 characters." error={next && next.length < 12 ? 'Use at least 12 characters.' : undefined}>
        {(p) => <Input {...p} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />}
      </Field>
      <Button type="submit" busy={isLoading} disabled={!current || next.length < 12}>
        Change password
      </Button>
    </form>
  )
}

function DisableTotp() {
  const [code, setCode] = useState('')
  const [disable, { isLoading, error }] = useDisableTotpMutation()
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        disable({ totp_code: code.trim() })
      }}
      className="mt-4 flex flex-wrap items-end gap-3"
    >
      <Field label="Code to turn it off" className="w-48">
        {(p) => <Input {...p} inputMode="numeric" maxLength={6} value={code} onChange={(e) => setCode(e.target.value)} />}
      </Field>
      <Button type="submit" variant="danger" busy={isLoading} disabled={code.trim().length !== 6}>
        Turn off
      </Button>
      {error && <p className="w-full text-sm text-rose-700">{describeError(error).message}</p>}
    </form>
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
              <DisableTotp />
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
        <Card title="Password">
          <PasswordForm />
        </Card>
      </div>
    </>
  )
}
