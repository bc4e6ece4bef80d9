import { useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import { useSignUpMutation } from '../api/auth'
import { describeError } from '../api/problem'
import { Alert, Button, Field, Input } from '../components/ui'
import { AuthShell } from './AuthShell'
import { minPassword } from '../lib/account'


/** SignUp registers an account, which waits for an administrator's approval. */
export function SignUp() {
  const [form, setForm] = useState({ display_name: '', email: '', password: '', confirm: '' })
  const [local, setLocal] = useState<Record<string, string>>({})
  const [signUp, { isLoading, error, isSuccess }] = useSignUpMutation()
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value })

  if (isSuccess) {
    return (
      <AuthShell title="Almost there" subtitle="Your account has been created.">
        <div className="space-y-4 text-sm text-slate-700">
          <Alert tone="blue" title="Waiting for approval">
            An administrator reviews every new account and gives it a role: user, auditor or admin.
          </Alert>
          <ol className="list-decimal space-y-1 pl-5">
            <li>You cannot sign in until your account is approved.</li>
            <li>Once approved, sign in with the email and password you chose.</li>
            <li>We recommend turning on two-factor authentication from your profile.</li>
          </ol>
          <Link to="/signin" className="inline-block font-medium text-brand-700 hover:underline">
            Go to sign in
          </Link>
        </div>
      </AuthShell>
    )
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const errs: Record<string, string> = {}
    if (!form.display_name.trim()) errs.display_name = 'Enter your name.'
    if (!/^\S+@\S+\.\S+$/.test(form.email.trim())) errs.email = 'Enter a valid email address.'
    if (form.password.length < minPassword) errs.password = `Use at least ${minPassword} characters.`
    if (form.confirm !== form.password) errs.confirm = 'The passwords do not match.'
    setLocal(errs)
    if (Object.keys(errs).length > 0) return
    await signUp({ display_name: form.display_name.trim(), email: form.email.trim(), password: form.password })
  }

  const err = error ? describeError(error) : null
  const fieldError = (k: string) => local[k] ?? err?.fields[k]

  return (
    <AuthShell
      title="Create your account"
      subtitle="An administrator approves each new account before it can be used."
      footer={
        <>
          Already have an account?{' '}
          <Link to="/signin" className="font-medium text-brand-700 hover:underline">
            Sign in
          </Link>
        </>
      }
    >
      <form onSubmit={submit} className="space-y-5" noValidate>
        {err && <Alert>{err.message}</Alert>}
        <Field label="Full name" error={fieldError('display_name')}>
          {(p) => <Input {...p} autoComplete="name" value={form.display_name} onChange={set('display_name')} />}
        </Field>
        <Field label="Email" error={fieldError('email')}>
          {(p) => <Input {...p} type="email" autoComplete="email" value={form.email} onChange={set('email')} />}
        </Field>
        <Field label="Password" hint={`At least ${minPassword} characters.`} error={fieldError('password')}>
          {(p) => <Input {...p} type="password" autoComplete="new-password" value={form.password} onChange={set('password')} />}
        </Field>
        <Field label="Confirm password" error={fieldError('confirm')}>
          {(p) => <Input {...p} type="password" autoComplete="new-password" value={form.confirm} onChange={set('confirm')} />}
        </Field>
        <Button type="submit" busy={isLoading} className="w-full">
          Create account
        </Button>
      </form>
    </AuthShell>
  )
}
