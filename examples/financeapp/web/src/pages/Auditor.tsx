import { useMemo, useState } from 'react'
import { Link, useParams } from 'react-router'
import { useSharedTransactionsQuery, useSharedWithMeQuery } from '../api/auditor'
import { describeError } from '../api/problem'
import type { Grant, TransactionFilter } from '../api/types'
import { Charts } from '../components/Charts'
import { Filters, TransactionTable, pageSize, useCursorPages } from '../components/TransactionTable'
import { Alert, Badge, Button, Card, Empty, Loading, PageHeader } from '../components/ui'
import { mainCurrency, summarize, totalsOf } from '../lib/charts'
import { formatDateTime } from '../lib/format'
import { describeScope, grantState } from '../lib/grants'

/** chartWindow is how many of the newest shared transactions the auditor's charts cover. */
const chartWindow = 500

interface Owner {
  id: string
  name: string
  email: string
  grants: Grant[]
}

/** owners groups the active grants made to this auditor by owner. */
export function owners(grants: Grant[] | undefined): Owner[] {
  const out = new Map<string, Owner>()
  for (const g of grants ?? []) {
    if (grantState(g) !== 'active') continue
    const o = out.get(g.owner_id) ?? { id: g.owner_id, name: g.owner?.display_name ?? g.owner_id, email: g.owner?.email ?? '', grants: [] }
    o.grants.push(g)
    out.set(g.owner_id, o)
  }
  return [...out.values()]
}

/** SharedWithMe lists the people who share their records with this auditor. */
export function SharedWithMe() {
  const grants = useSharedWithMeQuery()
  const list = owners(grants.data)
  return (
    <>
      <PageHeader title="Shared with me" subtitle="Records people have chosen to share with you, read-only." />
      <Card>
        {grants.isLoading ? (
          <Loading />
        ) : grants.isError ? (
          <Alert action={<Button variant="secondary" onClick={() => grants.refetch()}>Retry</Button>}>{describeError(grants.error).message}</Alert>
        ) : list.length === 0 ? (
          <Empty title="Nobody shares with you yet">When someone grants you access, it appears here.</Empty>
        ) : (
          <ul className="-my-4 divide-y divide-slate-100" aria-label="People sharing with you">
            {list.map((o) => (
              <li key={o.id} className="flex flex-wrap items-center justify-between gap-4 py-4">
                <div>
                  <p className="font-medium text-slate-900">{o.name}</p>
                  <p className="text-sm text-slate-600">{o.email}</p>
                  {o.grants.map((g) => (
                    <p key={g.id} className="mt-1 text-sm text-slate-700">
                      {describeScope(g)} <span className="text-xs text-slate-500">· until {formatDateTime(g.expires_at)}</span>
                    </p>
                  ))}
                </div>
                <Link to={`/auditor/${encodeURIComponent(o.id)}`} className="rounded-lg bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700" aria-label={`Open the records of ${o.name}`}>
                  Open
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  )
}

/**
 * SharedRecords is an auditor's read-only view of one owner's records: the
 * service returns exactly the rows the active grants cover.
 */
export function SharedRecords() {
  const { ownerId = '' } = useParams()
  const grants = useSharedWithMeQuery()
  const owner = owners(grants.data).find((o) => o.id === ownerId)
  const [filter, setFilter] = useState<TransactionFilter>({})
  const pages = useCursorPages()
  const list = useSharedTransactionsQuery({ owner_id: ownerId, ...filter, limit: pageSize, cursor: pages.cursor })
  const window = useSharedTransactionsQuery({ owner_id: ownerId, limit: chartWindow })
  const summary = useMemo(() => summarize(totalsOf(window.data?.items ?? [])), [window.data])
  const status = list.isError ? describeError(list.error).status : undefined
  const denied = (status === 403 || status === 404) || (grants.isSuccess && !owner)
  const categories = owner?.grants.every((g) => g.scope === 'categories') ? owner.grants.flatMap((g) => g.categories ?? []) : undefined

  return (
    <>
      <PageHeader
        title={owner?.name ?? 'Shared records'}
        subtitle={
          owner ? (
            <>
              {owner.grants.map(describeScope).join(' · ')} <Badge tone="blue">Read-only</Badge>
            </>
          ) : undefined
        }
        actions={<Link to="/auditor" className="rounded-lg px-3.5 py-2 text-sm text-slate-600 ring-1 ring-slate-300 hover:bg-slate-50">All shares</Link>}
      />
      {denied ? (
        <Card>
          <Empty title="You no longer have access">The owner revoked this access or it expired.</Empty>
        </Card>
      ) : (
        <div className="space-y-6">
          {window.data && <Charts summary={summary} currency={mainCurrency(summary)} />}
          {window.data?.next && <p className="text-xs text-slate-500">Charts cover the newest {chartWindow} shared transactions.</p>}
          <Card title="Transactions">
            <div className="mb-5">
              <Filters
                filter={filter}
                allowedCategories={categories}
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
              error={list.isError && <Alert>{describeError(list.error).message}</Alert>}
              filtered={Object.values(filter).some(Boolean)}
              pageIndex={pages.index}
              onPrev={pages.prev}
              onNext={pages.next}
              emptyHint="Nothing in the shared scope yet."
            />
          </Card>
        </div>
      )}
    </>
  )
}
