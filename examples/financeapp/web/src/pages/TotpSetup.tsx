import { useEffect, useState, type FormEvent } from 'react'
import { Link, useNavigate } from 'react-router'
import { QRCodeSVG } from 'qrcode.react'
import { useBeginTotpMutation, useConfirmTotpMutation } from '../api/auth'
import { describeError } from '../api/problem'
import { Alert, Button, Card, Field, Input, Loading, PageHeader } from '../components/ui'

/** groupSecret splits a base32 secret into groups of four for reading aloud. */
export function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, '').match(/.{1,4}/g)?.join(' ') ?? secret
}

/** TotpSetup enrolls an authenticator app: QR code, secret, confirmation code. */
export function TotpSetup() {
  const navigate = useNavigate()
  const [begin, { data, isLoading, error }] = useBeginTotpMutation()
  const [confirm, confirmState] = useConfirmTotpMutation()
  const [code, setCode] = useState('')

  useEffect(() => {
    begin()
  }, [begin])

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const res = await confirm({ code: code.trim() })
    if (!('error' in res)) navigate('/profile', { replace: true })
  }

  return (
    <>
      <PageHeader title="Set up two-factor authentication" subtitle="Use any authenticator app: 1Password, Google Authenticator, Aegis…" />
      <Card className="max-w-2xl">
        {isLoading && <Loading label="Preparing your secret…" />}
        {error && (
          <Alert action={<Button variant="secondary" onClick={() => begin()}>Try again</Button>}>
            {describeError(error).message}
          </Alert>
        )}
        {data && (
          <div className="grid gap-8 sm:grid-cols-[auto_1fr]">
            <div className="flex flex-col items-center gap-2">
              <div className="rounded-xl border border-slate-200 bg-white p-3">
                <QRCodeSVG value={data.otpauth_url} size={184} level="M" title="QR code for your authenticator app" />
              </div>
              <p className="text-xs text-slate-500">1. Scan this code</p>
            </div>
            <form onSubmit={submit} className="space-y-4">
              <div>
                <p className="text-sm text-slate-700">Cannot scan? Enter this key instead:</p>
                <p className="mt-1 rounded-lg bg-slate-100 px-3 py-2 font-mono text-sm tracking-wider break-all text-slate-900" aria-label="Secret key">
                  {groupSecret(data.secret)}
                </p>
              </div>
              <Field label="2. Enter the 6-digit code" error={confirmState.error ? describeError(confirmState.error).message : undefined}>
                {(p) => (
                  <Input
                    {...p}
                    inputMode="numeric"
                    autoComplete="one-time-code"
                    pattern="[0-9]{6}"
                    maxLength={6}
                    value={code}
                    onChange={(e) => setCode(e.target.value)}
                  />
                )}
              </Field>
              <div className="flex gap-2">
                <Button type="submit" busy={confirmState.isLoading} disabled={code.trim().length !== 6}>
                  Turn on
                </Button>
                <Link to="/profile" className="rounded-lg px-3.5 py-2 text-sm text-slate-600 hover:bg-slate-100">
                  Cancel
                </Link>
              </div>
            </form>
          </div>
        )}
      </Card>
    </>
  )
}
