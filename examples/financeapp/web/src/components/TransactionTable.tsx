import { useCallback, useMemo, useState, type ReactNode } from 'react'
import {
  categories,
  paymentTypes,
  type SortField,
  type SortOrder,
  type Transaction,
  type TransactionFilter,
  type TransactionPage,
} from '../api/types'
import { formatDate, formatMoney, label } from '../lib/format'
import { Badge, Button, Empty, Field, Input, Loading, Select, TableScroll } from './ui'

const categoryTone = { expense: 'red', saving: 'green', investment: 'brand' } as const

/** pageSize is how many transactions one page of the table shows. */
export const pageSize = 20

/** Sort is the column and direction a transaction list is ordered by. */
export interface Sort {
  field: SortField
  order: SortOrder
}

/** defaultSort is the service's own order: newest first. */
export const defaultSort: Sort = { field: 'date', order: 'desc' }

/**
 * sortParams turns a sort into the list's query parameters, leaving both out
 * for the service's default order.
 */
export function sortParams(sort: Sort): { sort?: SortField; order?: SortOrder } {
  if (sort.field === defaultSort.field && sort.order === defaultSort.order) return {}
  return { sort: sort.field, order: sort.order }
}

const sortKey: Record<SortField, keyof Transaction> = {
  date: 'date',
  amount: 'amount_minor',
  description: 'description',
  category: 'category',
}

/**
 * useCursorPages walks a keyset-paginated list: it keeps the cursors of the
 * pages seen so far, so that Previous works without offsets.
 */
export function useCursorPages() {
  const [stack, setStack] = useState<(string | undefined)[]>([undefined])
  const index = stack.length - 1
  return {
    cursor: stack[index],
    index,
    next: useCallback((cursor: string) => setStack((s) => [...s, cursor]), []),
    prev: useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []),
    reset: useCallback(() => setStack([undefined]), []),
  }
}

/**
 * sortRows orders the transactions of one page by a field; ties keep the
 * service's order. It serves lists whose service cannot sort.
 */
export function sortRows(rows: Transaction[], sort: Sort): Transaction[] {
  const dir = sort.order === 'asc' ? 1 : -1
  const key = sortKey[sort.field]
  return rows
    .map((t, i) => [t, i] as const)
    .sort(([a, i], [b, j]) => {
      const x = a[key]
      const y = b[key]
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))
      return c === 0 ? i - j : c * dir
    })
    .map(([t]) => t)
}

/** Filters edits the filter of a transaction list. */
export function Filters({
  filter,
  onChange,
  allowedCategories,
}: {
  filter: TransactionFilter
  onChange: (f: TransactionFilter) => void
  allowedCategories?: string[]
}) {
  const set = (patch: Partial<TransactionFilter>) => onChange({ ...filter, ...patch })
  const cats = allowedCategories?.length ? categories.filter((c) => allowedCategories.includes(c)) : categories
  return (
    <form role="search" aria-label="Filter transactions" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" onSubmit={(e) => e.preventDefault()}>
      <Field label="From">{(p) => <Input {...p} type="date" value={filter.from ?? ''} onChange={(e) => set({ from: e.target.value })} />}</Field>
      <Field label="To">{(p) => <Input {...p} type="date" value={filter.to ?? ''} onChange={(e) => set({ to: e.target.value })} />}</Field>
      <Field label="Category">
        {(p) => (
          <Select {...p} value={filter.category ?? ''} onChange={(e) => set({ category: e.target.value as TransactionFilter['category'] })}>
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
          <Select {...p} value={filter.payment_type ?? ''} onChange={(e) => set({ payment_type: e.target.value as TransactionFilter['payment_type'] })}>
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
  sort,
  onSort,
  className = '',
}: {
  field: SortField
  children: ReactNode
  sort: Sort
  onSort: (s: Sort) => void
  className?: string
}) {
  const active = sort.field === field
  const next = active && sort.order === 'desc' ? 'asc' : 'desc'
  return (
    <th scope="col" className={`th ${className}`} aria-sort={active ? (sort.order === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="inline-flex items-center gap-1 uppercase hover:text-slate-900" onClick={() => onSort({ field, order: next })}>
        {children}
        <span aria-hidden="true" className={active ? 'text-slate-900' : 'text-slate-300'}>
          {active && sort.order === 'asc' ? '▲' : '▼'}
        </span>
      </button>
    </th>
  )
}

/**
 * TransactionTable lists one page of transactions, sortable, with optional
 * row actions. Given sort and onSort, the service sorts (a click asks the
 * parent for a new list from its first page) and the rows keep its order;
 * without them, the table sorts the page on screen.
 */
export function TransactionTable({
  page,
  isLoading,
  isFetching,
  error,
  filtered,
  pageIndex,
  onPrev,
  onNext,
  onEdit,
  onDelete,
  emptyHint,
  sort: serverSort,
  onSort: onServerSort,
}: {
  page: TransactionPage | undefined
  isLoading: boolean
  isFetching?: boolean
  error?: ReactNode
  filtered: boolean
  pageIndex: number
  onPrev: () => void
  onNext: (cursor: string) => void
  onEdit?: (t: Transaction) => void
  onDelete?: (t: Transaction) => void
  emptyHint?: ReactNode
  sort?: Sort
  onSort?: (s: Sort) => void
}) {
  const [localSort, setLocalSort] = useState<Sort>(defaultSort)
  const sort = serverSort ?? localSort
  const setSort = onServerSort ?? setLocalSort
  const rows = useMemo(() => (serverSort ? (page?.items ?? []) : sortRows(page?.items ?? [], localSort)), [page, serverSort, localSort])

  if (isLoading) return <Loading label="Loading transactions…" />
  if (error) return <>{error}</>
  if (rows.length === 0 && pageIndex === 0) {
    return (
      <Empty title={filtered ? 'No transactions match these filters' : 'No transactions yet'}>
        {filtered ? 'Try widening the dates or clearing a filter.' : emptyHint}
      </Empty>
    )
  }

  const actions = Boolean(onEdit || onDelete)
  return (
    <div aria-busy={isFetching || undefined}>
      <TableScroll label="Transactions table">
        <table className="min-w-full divide-y divide-slate-200">
          <caption className="sr-only">Transactions, page {pageIndex + 1}</caption>
          <thead className="bg-slate-50">
            <tr>
              <SortHeader field="date" sort={sort} onSort={setSort}>
                Date
              </SortHeader>
              <SortHeader field="description" sort={sort} onSort={setSort}>
                Description
              </SortHeader>
              <SortHeader field="category" sort={sort} onSort={setSort}>
                Category
              </SortHeader>
              <th scope="col" className="th">
                Payment
              </th>
              <SortHeader field="amount" sort={sort} onSort={setSort} className="text-right">
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
            {rows.map((t) => (
              <tr key={t.id} className="hover:bg-slate-50">
                <td className="td">{formatDate(t.date)}</td>
                <td className="td max-w-xs">
                  <p className="truncate font-medium text-slate-900">{t.description || '—'}</p>
                  {t.location && <p className="truncate text-xs text-slate-500">{t.location}</p>}
                  <p className="text-xs font-medium text-slate-700 tabular-nums sm:hidden">
                    {formatMoney(t.amount_minor, t.currency)} · {label(t.category)}
                  </p>
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
      </TableScroll>
      <nav aria-label="Pagination" className="flex items-center justify-between gap-3 pt-4 text-sm text-slate-600">
        <p>
          Page {pageIndex + 1} · {rows.length} shown
        </p>
        <div className="flex gap-2">
          <Button variant="secondary" disabled={pageIndex === 0} onClick={onPrev}>
            Previous
          </Button>
          <Button variant="secondary" disabled={!page?.next} onClick={() => page?.next && onNext(page.next)}>
            Next
          </Button>
        </div>
      </nav>
    </div>
  )
}
