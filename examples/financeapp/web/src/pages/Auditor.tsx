import { useState } from 'react'
import { Link, useParams } from 'react-router'
import { useSharedSummaryQuery, useSharedTransactionsQuery, useSharedWithMeQuery } from '../api/auditor'
import { describeError } from '../api/problem'
import { Charts } from '../components/Charts'
import { Filters, TransactionTable, defaultQuery } from '../components/TransactionTable'
import { Alert, Badge, Button, Card, Empty, Loading, PageHeader } from '../components/ui'
import { mainCurrency } from '../lib/charts'
import { formatDateTime } from '../lib/format'
import { describeScope, grantState } from '../lib/grants'

/** SharedWithMe lists the people who share their records with this auditor. */
export function SharedWithMe() {
  const grants = useSharedWithMeQuery()
  const active = (grants.data ?? []).filter((g) => grantState(g) === 'active')
  return (
    <>
      <PageHeader title="Shared with me" subtitle="Records people have chosen to share with you, read-only." />
      <Card>
        {grants.isLoading ? (
          <Loading />
        ) : grants.isError ? (
          <Alert action={<Button variant="secondary" onClick={() => grants.refetch()}>Retry</Button>}>{describeError(grants.error).message}</Alert>
        ) : active.length === 0 ? (
          <Empty title="Nobody shares with you yet">When someone grants you access, it appears here.</Empty>
        ) : (
          <ul className="-my-4 divide-y divide-slate-100" aria-label="Grants">
            {active.map((g) => (
              <li key={g.id} className="flex flex-wrap items-center justify-between gap-4 py-4">
                <div>
                  <p className="font-medium text-slate-900">{g.owner?.display_name ?? g.owner_id}</p>
                  <p className="text-sm text-slate-600">{g.owner?.email}</p>
                  <p className="mt-1 text-sm text-slate-700">{describeScope(g)}</p>
                </div>
                <div className="flex items-center gap-4">
                  <p className="text-xs text-slate-500">Until {formatDateTime(g.expires_at)}</p>
                  <Link to={`/auditor/${encodeURIComponent(g.id)}`} className="rounded-lg bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700">
                    Open
                  </Link>
                </div>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  )
}

/** SharedRecords is an auditor's read-only view of exactly one grant's scope. */
export function SharedRecords() {
  const { grantId = '' } = useParams()
  const grants = useSharedWithMeQuery()
  const grant = grants.data?.find((g) => g.id === grantId)
  const [query, setQuery] = useState(defaultQuery)
  const list = useSharedTransactionsQuery({ grantId, q: query })
  const summary = useSharedSummaryQuery({ grantId })
  const denied = list.isError && [403, 404].includes(describeError(list.error).status ?? 0)

  return (
    <>
      <PageHeader
        title={grant ? `${grant.owner?.display_name ?? 'Shared records'}` : 'Shared records'}
        subtitle={grant ? <>{describeScope(grant)} · <Badge tone="blue">Read-only</Badge></> : undefined}
        actions={<Link to="/auditor" className="rounded-lg px-3.5 py-2 text-sm text-slate-600 ring-1 ring-slate-300 hover:bg-slate-50">All shares</Link>}
      />
      {denied ? (
        <Card>
          <Empty title="You no longer have access">The owner revoked this access or it expired.</Empty>
        </Card>
      ) : (
        <div className="space-y-6">
          {summary.data && <Charts summary={summary.data} currency={mainCurrency(summary.data)} />}
          <Card title="Transactions">
            <div className="mb-5">
              <Filters query={query} onChange={setQuery} allowed={{ categories: grant?.scope === 'categories' ? grant.categories : undefined }} />
            </div>
            <TransactionTable
              page={list.data}
              isLoading={list.isLoading}
              isFetching={list.isFetching}
              error={list.isError && <Alert>{describeError(list.error).message}</Alert>}
              query={query}
              onChange={setQuery}
              emptyHint="Nothing in the shared scope yet."
            />
          </Card>
        </div>
      )}
    </>
  )
}
