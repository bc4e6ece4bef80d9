import { useState, type ReactNode } from 'react'
import { categories, paymentTypes, type Page, type SortField, type Transaction, type TransactionQuery } from '../api/types'
import { formatDate, formatMoney, label } from '../lib/format'
import { Badge, Button, Empty, Field, Input, Loading, Pagination, Select } from './ui'

const categoryTone = { expense: 'red', saving: 'green', investment: 'brand' } as const

/** defaultQuery is the first page of the newest transactions. */
export const defaultQuery: TransactionQuery = { sort: 'date', order: 'desc', page: 1, page_size: 10 }

/** Filters edits the filter part of a transaction query. */
export function Filters({
  query,
  onChange,
  allowed,
}: {
  query: TransactionQuery
  onChange: (q: TransactionQuery) => void
  allowed?: { categories?: string[] }
}) {
  const [q, setQ] = useState(query.q ?? '')
  const set = (patch: Partial<TransactionQuery>) => onChange({ ...query, ...patch, page: 1 })
  const cats = allowed?.categories?.length ? categories.filter((c) => allowed.categories?.includes(c)) : categories
  return (
    <form
      role="search"
      aria-label="Filter transactions"
      className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5"
      onSubmit={(e) => {
        e.preventDefault()
        set({ q: q.trim() })
      }}
    >
      <Field label="Search">
        {(p) => <Input {...p} type="search" placeholder="Description or place" value={q} onChange={(e) => setQ(e.target.value)} onBlur={() => set({ q: q.trim() })} />}
      </Field>
      <Field label="From">{(p) => <Input {...p} type="date" value={query.from ?? ''} onChange={(e) => set({ from: e.target.value })} />}</Field>
      <Field label="To">{(p) => <Input {...p} type="date" value={query.to ?? ''} onChange={(e) => set({ to: e.target.value })} />}</Field>
      <Field label="Category">
        {(p) => (
          <Select {...p} value={query.category ?? ''} onChange={(e) => set({ category: e.target.value as TransactionQuery['category'] })}>
            <option value="">All categories</option>
            {cats.map((c) => (
              <option key={c} value={c}>
                {label(c)}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field label="Payment">
        {(p) => (
          <Select {...p} value={query.payment_type ?? ''} onChange={(e) => set({ payment_type: e.target.value as TransactionQuery['payment_type'] })}>
            <option value="">All payment types</option>
            {paymentTypes.map((t) => (
              <option key={t} value={t}>
                {label(t)}
              </option>
            ))}
          </Select>
        )}
      </Field>
    </form>
  )
}

function SortHeader({
  field,
  children,
  query,
  onChange,
  className = '',
}: {
  field: SortField
  children: ReactNode
  query: TransactionQuery
  onChange: (q: TransactionQuery) => void
  className?: string
}) {
  const active = query.sort === field
  const order = active ? query.order : undefined
  const next = active && query.order === 'desc' ? 'asc' : 'desc'
  return (
    <th scope="col" className={`th ${className}`} aria-sort={order === 'asc' ? 'ascending' : order === 'desc' ? 'descending' : 'none'}>
      <button type="button" className="inline-flex items-center gap-1 uppercase hover:text-slate-900" onClick={() => onChange({ ...query, sort: field, order: next, page: 1 })}>
        {children}
        <span aria-hidden="true" className={active ? 'text-slate-900' : 'text-slate-300'}>
          {order === 'asc' ? '▲' : '▼'}
        </span>
      </button>
    </th>
  )
}

/** TransactionTable lists a page of transactions, sortable, with optional row actions. */
export function TransactionTable({
  page,
  isLoading,
  isFetching,
  error,
  query,
  onChange,
  onEdit,
  onDelete,
  emptyHint,
}: {
  page: Page<Transaction> | undefined
  isLoading: boolean
  isFetching?: boolean
  error?: ReactNode
  query: TransactionQuery
  onChange: (q: TransactionQuery) => void
  onEdit?: (t: Transaction) => void
  onDelete?: (t: Transaction) => void
  emptyHint?: ReactNode
}) {
  if (isLoading) return <Loading label="Loading transactions…" />
  if (error) return <>{error}</>
  if (!page || page.items.length === 0) {
    const filtered = Boolean(query.q || query.from || query.to || query.category || query.payment_type)
    return (
      <Empty title={filtered ? 'No transactions match these filters' : 'No transactions yet'}>
        {filtered ? 'Try widening the dates or clearing a filter.' : emptyHint}
      </Empty>
    )
  }

  const actions = Boolean(onEdit || onDelete)
  return (
    <div aria-busy={isFetching || undefined}>
      <div className="-mx-5 overflow-x-auto">
        <table className="min-w-full divide-y divide-slate-200">
          <caption className="sr-only">Transactions</caption>
          <thead className="bg-slate-50">
            <tr>
              <SortHeader field="date" query={query} onChange={onChange}>
                Date
              </SortHeader>
              <SortHeader field="description" query={query} onChange={onChange}>
                Description
              </SortHeader>
              <SortHeader field="category" query={query} onChange={onChange}>
                Category
              </SortHeader>
              <th scope="col" className="th">
                Payment
              </th>
              <SortHeader field="amount_minor" query={query} onChange={onChange} className="text-right">
                Amount
              </SortHeader>
              {actions && (
                <th scope="col" className="th text-right">
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 bg-white">
            {page.items.map((t) => (
              <tr key={t.id} className="hover:bg-slate-50">
                <td className="td">{formatDate(t.date)}</td>
                <td className="td max-w-xs">
                  <p className="truncate font-medium text-slate-900">{t.description || '—'}</p>
                  {t.location && <p className="truncate text-xs text-slate-500">{t.location}</p>}
                </td>
                <td className="td">
                  <Badge tone={categoryTone[t.category]}>{label(t.category)}</Badge>
                </td>
                <td className="td">{label(t.payment_type)}</td>
                <td className={`td text-right font-medium tabular-nums ${t.category === 'expense' ? 'text-slate-900' : 'text-emerald-700'}`}>
                  {formatMoney(t.amount_minor, t.currency)}
                </td>
                {actions && (
                  <td className="td text-right">
                    <div className="flex justify-end gap-1">
                      {onEdit && (
                        <Button variant="ghost" onClick={() => onEdit(t)} aria-label={`Edit ${t.description || 'transaction'}`}>
                          Edit
                        </Button>
                      )}
                      {onDelete && (
                        <Button variant="ghost" className="text-rose-700 hover:bg-rose-50" onClick={() => onDelete(t)} aria-label={`Delete ${t.description || 'transaction'}`}>
                          Delete
                        </Button>
                      )}
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pagination page={page.page} pageSize={page.page_size} total={page.total} onPage={(p) => onChange({ ...query, page: p })} />
    </div>
  )
}
