import { api } from './base'
import { toSearch } from './query'
import type {
  Auditor,
  Draft,
  Grant,
  GrantInput,
  Page,
  Summary,
  Transaction,
  TransactionInput,
  TransactionQuery,
} from './types'

type SummaryQuery = Pick<TransactionQuery, 'from' | 'to'>

/** financeApi holds a user's transactions, sharing and SMS drafts. */
export const financeApi = api.injectEndpoints({
  endpoints: (b) => ({
    transactions: b.query<Page<Transaction>, TransactionQuery>({
      query: (q) => `/transactions${toSearch(q)}`,
      providesTags: (res) => [
        { type: 'Transaction', id: 'LIST' },
        ...(res?.items ?? []).map((t) => ({ type: 'Transaction' as const, id: t.id })),
      ],
    }),
    summary: b.query<Summary, SummaryQuery>({
      query: (q) => `/transactions/summary${toSearch(q)}`,
      providesTags: ['Summary'],
    }),
    createTransaction: b.mutation<Transaction, TransactionInput>({
      query: (body) => ({ url: '/transactions', method: 'POST', body }),
      invalidatesTags: [{ type: 'Transaction', id: 'LIST' }, 'Summary'],
    }),
    updateTransaction: b.mutation<Transaction, { id: string; body: TransactionInput }>({
      query: ({ id, body }) => ({ url: `/transactions/${encodeURIComponent(id)}`, method: 'PUT', body }),
      invalidatesTags: (_r, _e, { id }) => [
        { type: 'Transaction', id },
        { type: 'Transaction', id: 'LIST' },
        'Summary',
      ],
    }),
    deleteTransaction: b.mutation<void, string>({
      query: (id) => ({ url: `/transactions/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: [{ type: 'Transaction', id: 'LIST' }, 'Summary'],
    }),
    auditors: b.query<Auditor[], void>({
      query: () => '/auditors',
      providesTags: ['Auditor'],
    }),
    grants: b.query<Grant[], void>({
      query: () => '/grants',
      providesTags: ['Grant'],
    }),
    createGrant: b.mutation<Grant, GrantInput>({
      query: (body) => ({ url: '/grants', method: 'POST', body }),
      invalidatesTags: ['Grant'],
    }),
    revokeGrant: b.mutation<void, string>({
      query: (id) => ({ url: `/grants/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: ['Grant'],
    }),
    drafts: b.query<Draft[], void>({
      query: () => '/drafts',
      providesTags: ['Draft'],
    }),
    confirmDraft: b.mutation<Transaction, { id: string; body?: Draft['transaction'] }>({
      query: ({ id, body }) => ({ url: `/drafts/${encodeURIComponent(id)}/confirm`, method: 'POST', body }),
      invalidatesTags: ['Draft', { type: 'Transaction', id: 'LIST' }, 'Summary'],
    }),
    discardDraft: b.mutation<void, string>({
      query: (id) => ({ url: `/drafts/${encodeURIComponent(id)}/discard`, method: 'POST' }),
      invalidatesTags: ['Draft'],
    }),
  }),
})

/** exportUrl is the address of the CSV export of the transactions matching q. */
export function exportUrl(q: TransactionQuery): string {
  const { page: _p, page_size: _s, ...rest } = q
  return `/api/transactions/export.csv${toSearch(rest)}`
}

export const {
  useTransactionsQuery,
  useSummaryQuery,
  useCreateTransactionMutation,
  useUpdateTransactionMutation,
  useDeleteTransactionMutation,
  useAuditorsQuery,
  useGrantsQuery,
  useCreateGrantMutation,
  useRevokeGrantMutation,
  useDraftsQuery,
  useConfirmDraftMutation,
  useDiscardDraftMutation,
} = financeApi
