import { useState } from 'react'
import { useConfirmDraftMutation, useDiscardDraftMutation, useDraftsQuery } from '../api/finance'
import { describeError } from '../api/problem'
import type { Draft, TransactionInput } from '../api/types'
import { TransactionForm } from '../components/TransactionForm'
import { Alert, Badge, Button, Card, Dialog, Empty, Loading, PageHeader } from '../components/ui'
import { formatDate, formatDateTime, formatMoney, label } from '../lib/format'

const dangerFlags = new Set(['phishing', 'spam'])

function DraftCard({ d }: { d: Draft }) {
  const [confirm, confirmState] = useConfirmDraftMutation()
  const [discard, discardState] = useDiscardDraftMutation()
  const [editing, setEditing] = useState(false)
  const flags = d.flags ?? []
  const risky = flags.some((f) => dangerFlags.has(f))
  const t = d.transaction
  const err = confirmState.error ?? discardState.error
  return (
    <li className={`rounded-xl border p-4 ${risky ? 'border-rose-200 bg-rose-50/40' : 'border-slate-200 bg-white'}`}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <p className="font-medium text-slate-900">{t.description || 'Bank message'}</p>
          <p className="text-sm text-slate-600">
            {formatDate(t.date)} · {label(t.payment_type)} · {label(t.category)}
            {t.location ? ` · ${t.location}` : ''}
          </p>
          <p className="mt-1 text-xs text-slate-500">Received {formatDateTime(d.created_at)}</p>
        </div>
        <p className="text-lg font-semibold text-slate-900 tabular-nums">{formatMoney(t.amount_minor, t.currency)}</p>
      </div>
      {flags.length > 0 && (
        <div className="mt-3 flex flex-wrap items-center gap-2">
          {flags.map((f) => (
            <Badge key={f} tone={dangerFlags.has(f) ? 'red' : 'amber'}>
              {label(f)}
            </Badge>
          ))}
          {risky && <span className="text-sm text-rose-800">This message looks suspicious. Check it with your bank before confirming.</span>}
        </div>
      )}
      {err && <div className="mt-3"><Alert>{describeError(err).message}</Alert></div>}
      <div className="mt-4 flex justify-end gap-2">
        <Button variant="secondary" busy={discardState.isLoading} onClick={() => discard(d.id)} aria-label={`Discard ${t.description || 'draft'}`}>
          Discard
        </Button>
        <Button variant="secondary" onClick={() => setEditing(true)} aria-label={`Correct ${t.description || 'draft'} and confirm`}>
          Correct…
        </Button>
        <Button variant={risky ? 'secondary' : 'primary'} busy={confirmState.isLoading} onClick={() => confirm({ id: d.id })} aria-label={`Confirm ${t.description || 'draft'}`}>
          Confirm
        </Button>
      </div>
      {editing && (
        <Dialog title="Correct and confirm" description="Fix what the message got wrong; the transaction is recorded as you confirm it." onClose={() => setEditing(false)}>
          <TransactionForm
            initial={t}
            submitLabel="Confirm"
            busy={confirmState.isLoading}
            error={confirmState.error ? describeError(confirmState.error) : null}
            onSubmit={async (body: TransactionInput) => {
              const res = await confirm({ id: d.id, body })
              if (!('error' in res)) setEditing(false)
            }}
            onCancel={() => setEditing(false)}
          />
        </Dialog>
      )}
    </li>
  )
}

/** Inbox lists the transaction drafts parsed from bank SMS, to confirm or discard. */
export function Inbox() {
  const drafts = useDraftsQuery()
  const pending = (drafts.data ?? []).filter((d) => d.status === 'pending')
  return (
    <>
      <PageHeader title="SMS inbox" subtitle="Transactions read from your bank's text messages. Confirm the right ones; discard the rest." />
      <Card>
        {drafts.isLoading ? (
          <Loading />
        ) : drafts.isError ? (
          <Alert action={<Button variant="secondary" onClick={() => drafts.refetch()}>Retry</Button>}>{describeError(drafts.error).message}</Alert>
        ) : pending.length === 0 ? (
          <Empty title="Your inbox is clear">New drafts appear here when the ZeroSMS app forwards a bank message.</Empty>
        ) : (
          <ul className="space-y-3" aria-label="Drafts">
            {pending.map((d) => (
              <DraftCard key={d.id} d={d} />
            ))}
          </ul>
        )}
      </Card>
    </>
  )
}
