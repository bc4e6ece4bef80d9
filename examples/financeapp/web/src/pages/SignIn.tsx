import { useState, type FormEvent } from 'react'
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router'
import { useSignInMutation } from '../api/auth'
import { describeError } from '../api/problem'
import { totpRequiredCode } from '../api/contract'
import { useSession } from '../app/hooks'
import { homeOf } from '../components/guards'
import { Alert, Button, Field, Input } from '../components/ui'
import { AuthShell } from './AuthShell'

/** safeNext accepts only a same-site path as the page to return to. */
export function safeNext(next: string | null): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null
  return next
}

const pendingCodes = new Set(['account_pending', 'pending_approval'])

/** SignIn signs a person in with a password and, when enabled, a TOTP code. */
export function SignIn() {
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const { user, ended } = useSession()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [code, setCode] = useState('')
  const [needCode, setNeedCode] = useState(false)
  const [signIn, { isLoading, error }] = useSignInMutation()

  if (user) return <Navigate to={safeNext(params.get('next')) ?? homeOf(user.role)} replace />

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const res = await signIn({ email: email.trim(), password, totp_code: needCode ? code.trim() : undefined })
    if ('error' in res) {
      if (describeError(res.error).code === totpRequiredCode) setNeedCode(true)
      return
    }
    navigate(safeNext(params.get('next')) ?? homeOf(res.data.user?.role), { replace: true })
  }

  const err = error ? describeError(error) : null
  const pending = err?.code && pendingCodes.has(err.code)

  return (
    <AuthShell
      title="Sign in"
      subtitle="Welcome back. Sign in to see your finances."
      footer={
        <>
          New here?{' '}
          <Link to="/signup" className="font-medium text-brand-700 hover:underline">
            Create an account
          </Link>
        </>
      }
    >
      <form onSubmit={submit} className="space-y-5" noValidate>
        {ended === 'expired' && !err && (
          <Alert tone="amber" title="You have been signed out">
            Your session ended or was revoked. Sign in again to continue.
          </Alert>
        )}
        {ended === 'signed_out' && !err && <Alert tone="green">You have signed out.</Alert>}
        {pending ? (
          <Alert tone="amber" title="Waiting for approval">
            Your account exists but an administrator has not approved it yet. You can sign in once it
            has been given a role.
          </Alert>
        ) : (
          err && err.code !== totpRequiredCode && <Alert>{err.message}</Alert>
        )}
        <Field label="Email">
          {(p) => (
            <Input {...p} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <Field label="Password">
          {(p) => (
            <Input
              {...p}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        {needCode && (
          <Field label="Authentication code" hint="The 6-digit code from your authenticator app.">
            {(p) => (
              <Input
                {...p}
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                maxLength={6}
                autoFocus
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            )}
          </Field>
        )}
        <Button type="submit" busy={isLoading} className="w-full">
          Sign in
        </Button>
      </form>
    </AuthShell>
  )
}
