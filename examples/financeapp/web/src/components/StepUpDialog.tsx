import { useEffect, useState, type FormEvent } from 'react'
import { onStepUp, settleStepUp } from '../api/stepUp'
import { useStepUpMutation } from '../api/auth'
import { useSession } from '../app/hooks'
import { describeError } from '../api/problem'
import { Alert, Button, Dialog, Field, Input } from './ui'

/**
 * StepUpDialog asks for a fresh TOTP code when an API answer requires a
 * step-up (sharing, role changes); the waiting request is retried after it.
 */
export function StepUpDialog() {
  const { user } = useSession()
  const withCode = Boolean(user?.totp_enabled)
  const [open, setOpen] = useState(false)
  const [code, setCode] = useState('')
  const [stepUp, { isLoading, error, reset }] = useStepUpMutation()

  useEffect(
    () =>
      onStepUp((o) => {
        setOpen(o)
        setCode('')
        reset()
      }),
    [reset],
  )

  if (!open) return null

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const res = await stepUp(withCode ? { totp_code: code.trim() } : { password: code })
    if (!('error' in res)) settleStepUp(true)
  }

  return (
    <Dialog
      title="Confirm it is you"
      description={
        withCode
          ? 'This action needs a fresh code from your authenticator app.'
          : 'This action needs you to enter your password again.'
      }
      onClose={() => settleStepUp(false)}
    >
      <form onSubmit={submit} className="space-y-4">
        {error && <Alert>{describeError(error).message}</Alert>}
        {withCode ? (
          <Field label="Authentication code">
            {(p) => (
              <Input
                {...p}
                value={code}
                onChange={(e) => setCode(e.target.value)}
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                maxLength={6}
                required
              />
            )}
          </Field>
        ) : (
          <Field label="Password">
            {(p) => (
              <Input {...p} type="password" autoComplete="current-password" value={code} onChange={(e) => setCode(e.target.value)} required />
            )}
          </Field>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => settleStepUp(false)}>
            Cancel
          </Button>
          <Button type="submit" busy={isLoading}>
            Confirm
          </Button>
        </div>
      </form>
    </Dialog>
  )
}
