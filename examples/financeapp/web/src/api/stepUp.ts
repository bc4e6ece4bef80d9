// Step-up coordination: when an API answer says that a fresh second factor is
// required, the request waits here while the step-up dialog asks for a TOTP
// code, then is retried once (or fails when the person cancels).

type Settle = (ok: boolean) => void

let pending: Promise<boolean> | null = null
let settle: Settle | null = null
const listeners = new Set<(open: boolean) => void>()

/** requestStepUp opens the step-up dialog and resolves when it closes. */
export function requestStepUp(): Promise<boolean> {
  if (pending) return pending
  pending = new Promise<boolean>((resolve) => {
    settle = resolve
  })
  listeners.forEach((l) => l(true))
  return pending
}

/** settleStepUp closes the dialog: ok is true when the step-up succeeded. */
export function settleStepUp(ok: boolean): void {
  const s = settle
  pending = null
  settle = null
  listeners.forEach((l) => l(false))
  s?.(ok)
}

/** onStepUp subscribes to the dialog's open state; it returns the unsubscriber. */
export function onStepUp(listener: (open: boolean) => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
