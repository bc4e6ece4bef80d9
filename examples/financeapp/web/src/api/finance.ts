import { api } from './base'
import { toSearch } from './query'
import { summarize } from '../lib/charts'
import type {
  Auditor,
  Draft,
  Grant,
  GrantInput,
  Summary,
  Total,
  Transaction,
  TransactionInput,
  TransactionPage,
  TransactionQuery,
} from './types'

/** financeApi holds a user's transactions, sharing and SMS drafts. */
export const financeApi = api.injectEndpoints({
  endpoints: (b) => ({
    transactions: b.query<TransactionPage, TransactionQuery>({
      query: (q) => `/v1/transactions${toSearch(q)}`,
      providesTags: (res) => [
        { type: 'Transaction', id: 'LIST' },
        ...(res?.items ?? []).map((t) => ({ type: 'Transaction' as const, id: t.id })),
      ],
    }),
    summary: b.query<Summary, void>({
      query: () => '/v1/transactions/summary',
      transformResponse: (r: { totals: Total[] }) => summarize(r.totals),
      providesTags: ['Summary'],
    }),
    createTransaction: b.mutation<Transaction, TransactionInput>({
      query: (body) => ({ url: '/v1/transactions', method: 'POST', body }),
      invalidatesTags: [{ type: 'Transaction', id: 'LIST' }, 'Summary'],
    }),
    updateTransaction: b.mutation<Transaction, { id: string; body: TransactionInput }>({
      query: ({ id, body }) => ({ url: `/v1/transactions/${encodeURIComponent(id)}`, method: 'PUT', body }),
      invalidatesTags: (_r, _e, { id }) => [
        { type: 'Transaction', id },
        { type: 'Transaction', id: 'LIST' },
        'Summary',
      ],
    }),
    deleteTransaction: b.mutation<void, string>({
      query: (id) => ({ url: `/v1/transactions/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: [{ type: 'Transaction', id: 'LIST' }, 'Summary'],
    }),
    auditors: b.query<Auditor[], void>({
      query: () => '/v1/auditors',
      transformResponse: (r: { auditors: Auditor[] }) => r.auditors,
      providesTags: ['Auditor'],
    }),
    grants: b.query<Grant[], void>({
      query: () => '/v1/grants',
      transformResponse: (r: { grants: Grant[] }) => r.grants,
      providesTags: ['Grant'],
    }),
    createGrant: b.mutation<Grant, GrantInput>({
      query: (body) => ({ url: '/v1/grants', method: 'POST', body }),
      invalidatesTags: ['Grant'],
    }),
    revokeGrant: b.mutation<void, string>({
      query: (id) => ({ url: `/v1/grants/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: ['Grant'],
    }),
    drafts: b.query<Draft[], void>({
      query: () => '/v1/drafts?status=pending',
      transformResponse: (r: { drafts: Draft[] }) => r.drafts,
      providesTags: ['Draft'],
    }),
    confirmDraft: b.mutation<Transaction, { id: string; body?: TransactionInput }>({
      query: ({ id, body }) => ({ url: `/v1/drafts/${encodeURIComponent(id)}/confirm`, method: 'POST', body }),
      invalidatesTags: ['Draft', { type: 'Transaction', id: 'LIST' }, 'Summary'],
    }),
    discardDraft: b.mutation<void, string>({
      query: (id) => ({ url: `/v1/drafts/${encodeURIComponent(id)}/discard`, method: 'POST' }),
      invalidatesTags: ['Draft'],
    }),
  }),
})

/** exportUrl is the address of the CSV export of all the user's transactions. */
export const exportUrl = '/api/v1/transactions/export'

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
