import { useState } from 'react'
import {
  exportUrl,
  useCreateTransactionMutation,
  useDeleteTransactionMutation,
  useSummaryQuery,
  useTransactionsQuery,
  useUpdateTransactionMutation,
} from '../api/finance'
import { describeError } from '../api/problem'
import type { Transaction, TransactionFilter, TransactionInput } from '../api/types'
import { useSession } from '../app/hooks'
import { Charts, Totals } from '../components/Charts'
import { Filters, TransactionTable, defaultSort, pageSize, sortParams, useCursorPages, type Sort } from '../components/TransactionTable'
import { TransactionForm, blankTransaction } from '../components/TransactionForm'
import { Alert, Button, Card, Dialog, PageHeader } from '../components/ui'
import { mainCurrency } from '../lib/charts'
import { formatMoney } from '../lib/format'

type Editing = { kind: 'new' } | { kind: 'edit'; t: Transaction } | null

function toInput(t: Transaction): TransactionInput {
  const { amount_minor, currency, payment_type, category, description, location, date } = t
  return { amount_minor, currency, payment_type, category, description, location, date }
}

/** Dashboard is a user's home: totals, charts and the transactions table. */
export function Dashboard() {
  const { user } = useSession()
  const [filter, setFilter] = useState<TransactionFilter>({})
  const [sort, setSort] = useState<Sort>(defaultSort)
  const pages = useCursorPages()
  const list = useTransactionsQuery({ ...filter, ...sortParams(sort), limit: pageSize, cursor: pages.cursor })
  const summary = useSummaryQuery()
  const [editing, setEditing] = useState<Editing>(null)
  const [deleting, setDeleting] = useState<Transaction | null>(null)
  const [create, createState] = useCreateTransactionMutation()
  const [update, updateState] = useUpdateTransactionMutation()
  const [remove, removeState] = useDeleteTransactionMutation()
  const currency = mainCurrency(summary.data)

  const save = async (body: TransactionInput) => {
    const res = editing?.kind === 'edit' ? await update({ id: editing.t.id, body }) : await create(body)
    if (!('error' in res)) setEditing(null)
  }

  const saveState = editing?.kind === 'edit' ? updateState : createState
  return (
    <>
      <PageHeader
        title={`Hello, ${user?.display_name.split(' ')[0] ?? ''}`}
        subtitle="Your spending, savings and investments at a glance."
        actions={
          <>
            <a href={exportUrl} download className="inline-flex items-center rounded-lg bg-white px-3.5 py-2 text-sm font-medium text-slate-700 shadow-xs ring-1 ring-slate-300 hover:bg-slate-50">
              Export CSV
            </a>
            <Button
              onClick={() => {
                createState.reset()
                setEditing({ kind: 'new' })
              }}
            >
              Add transaction
            </Button>
          </>
        }
      />
      <div className="space-y-6">
        {summary.isError ? (
          <Alert action={<Button variant="secondary" onClick={() => summary.refetch()}>Retry</Button>}>
            {describeError(summary.error).message}
          </Alert>
        ) : (
          <>
            <Totals summary={summary.data} currency={currency} />
            <Charts summary={summary.data} currency={currency} />
          </>
        )}
        <Card title="Transactions">
          <div className="mb-5">
            <Filters
              filter={filter}
              onChange={(f) => {
                setFilter(f)
                pages.reset()
              }}
            />
          </div>
          <TransactionTable
            page={list.data}
            isLoading={list.isLoading}
            isFetching={list.isFetching}
            error={
              list.isError && (
                <Alert action={<Button variant="secondary" onClick={() => list.refetch()}>Retry</Button>}>
                  {describeError(list.error).message}
                </Alert>
              )
            }
            filtered={Object.values(filter).some(Boolean)}
            pageIndex={pages.index}
            onPrev={pages.prev}
            onNext={pages.next}
            sort={sort}
            onSort={(s) => {
              // A cursor belongs to the order it was issued under.
              setSort(s)
              pages.reset()
            }}
            onEdit={(t) => {
              updateState.reset()
              setEditing({ kind: 'edit', t })
            }}
            onDelete={(t) => {
              removeState.reset()
              setDeleting(t)
            }}
            emptyHint="Add your first transaction, or confirm one from your SMS inbox."
          />
        </Card>
      </div>

      {editing && (
        <Dialog title={editing.kind === 'edit' ? 'Edit transaction' : 'Add transaction'} onClose={() => setEditing(null)}>
          <TransactionForm
            initial={editing.kind === 'edit' ? toInput(editing.t) : blankTransaction(currency)}
            submitLabel={editing.kind === 'edit' ? 'Save changes' : 'Add transaction'}
            busy={saveState.isLoading}
            error={saveState.error ? describeError(saveState.error) : null}
            onSubmit={save}
            onCancel={() => setEditing(null)}
          />
        </Dialog>
      )}
      {deleting && (
        <Dialog title="Delete this transaction?" onClose={() => setDeleting(null)}>
          <p className="text-sm text-slate-700">
            {deleting.description} · {formatMoney(deleting.amount_minor, deleting.currency)}. This cannot be undone.
          </p>
          {removeState.error && <div className="mt-3"><Alert>{describeError(removeState.error).message}</Alert></div>}
          <div className="mt-5 flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setDeleting(null)}>
              Keep it
            </Button>
            <Button
              variant="danger"
              busy={removeState.isLoading}
              onClick={async () => {
                const res = await remove(deleting.id)
                if (!('error' in res)) setDeleting(null)
              }}
            >
              Delete
            </Button>
          </div>
        </Dialog>
      )}
    </>
  )
}
