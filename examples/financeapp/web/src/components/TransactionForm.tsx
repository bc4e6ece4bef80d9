import { useState, type FormEvent } from 'react'
import { categories, paymentTypes, type TransactionInput } from '../api/types'
import type { DisplayError } from '../api/problem'
import { MoneyError, label, minorToInput, parseMoney, today } from '../lib/format'
import { Alert, Button, Field, Input, Select } from './ui'

/** currencies offered in the form; the API accepts any ISO 4217 code. */
const currencies = ['INR', 'USD', 'EUR', 'GBP', 'JPY']

/** blankTransaction is the starting point of a new transaction. */
export function blankTransaction(currency = 'INR'): TransactionInput {
  return { amount_minor: 0, currency, payment_type: 'card', category: 'expense', description: '', location: '', date: today() }
}

/**
 * TransactionForm edits a transaction. The amount is typed in major units and
 * sent as integer minor units; it is validated here and again by the service.
 */
export function TransactionForm({
  initial,
  submitLabel,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  initial: TransactionInput
  submitLabel: string
  busy?: boolean
  error?: DisplayError | null
  onSubmit: (t: TransactionInput) => void
  onCancel: () => void
}) {
  const [t, setT] = useState(initial)
  const [amount, setAmount] = useState(initial.amount_minor ? minorToInput(initial.amount_minor, initial.currency) : '')
  const [local, setLocal] = useState<Record<string, string>>({})
  const set = <K extends keyof TransactionInput>(k: K, v: TransactionInput[K]) => setT({ ...t, [k]: v })

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const errs: Record<string, string> = {}
    let minor = 0
    try {
      minor = parseMoney(amount, t.currency)
    } catch (err) {
      errs.amount_minor = err instanceof MoneyError ? err.message : 'Enter an amount.'
    }
    if (!t.description.trim()) errs.description = 'Describe the transaction.'
    if (!t.date) errs.date = 'Pick a date.'
    setLocal(errs)
    if (Object.keys(errs).length > 0) return
    onSubmit({ ...t, amount_minor: minor, description: t.description.trim(), location: t.location.trim() })
  }

  const fieldError = (k: string) => local[k] ?? error?.fields[k]
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {error && Object.keys(error.fields).length === 0 && <Alert>{error.message}</Alert>}
      <Field label="Description" error={fieldError('description')}>
        {(p) => <Input {...p} maxLength={200} value={t.description} onChange={(e) => set('description', e.target.value)} />}
      </Field>
      <div className="grid grid-cols-3 gap-3">
        <Field label="Amount" className="col-span-2" error={fieldError('amount_minor')}>
          {(p) => <Input {...p} inputMode="decimal" placeholder="0.00" value={amount} onChange={(e) => setAmount(e.target.value)} />}
        </Field>
        <Field label="Currency" error={fieldError('currency')}>
          {(p) => (
            <Select {...p} value={t.currency} onChange={(e) => set('currency', e.target.value)}>
              {[...new Set([t.currency, ...currencies])].map((c) => (
                <option key={c}>{c}</option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      <div className="grid grid-cols-2 gap-3">
        <Field label="Category" error={fieldError('category')}>
          {(p) => (
            <Select {...p} value={t.category} onChange={(e) => set('category', e.target.value as TransactionInput['category'])}>
              {categories.map((c) => (
                <option key={c} value={c}>
                  {label(c)}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Payment type" error={fieldError('payment_type')}>
          {(p) => (
            <Select {...p} value={t.payment_type} onChange={(e) => set('payment_type', e.target.value as TransactionInput['payment_type'])}>
              {paymentTypes.map((c) => (
                <option key={c} value={c}>
                  {label(c)}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      <div className="grid grid-cols-2 gap-3">
        <Field label="Date" error={fieldError('date')}>
          {(p) => <Input {...p} type="date" value={t.date} onChange={(e) => set('date', e.target.value)} />}
        </Field>
        <Field label="Location" error={fieldError('location')}>
          {(p) => <Input {...p} maxLength={100} placeholder="Optional" value={t.location} onChange={(e) => set('location', e.target.value)} />}
        </Field>
      </div>
      <div className="flex justify-end gap-2 pt-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" busy={busy}>
          {submitLabel}
        </Button>
      </div>
    </form>
  )
}
