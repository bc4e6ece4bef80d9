import { api } from './base'
import { toSearch } from './query'
import type { Grant, Page, Summary, Transaction, TransactionQuery } from './types'

/** auditorApi holds what an auditor reads: grants made to them and their scope. */
export const auditorApi = api.injectEndpoints({
  endpoints: (b) => ({
    sharedWithMe: b.query<Grant[], void>({
      query: () => '/auditor/grants',
      providesTags: ['SharedWithMe'],
    }),
    sharedTransactions: b.query<Page<Transaction>, { grantId: string; q: TransactionQuery }>({
      query: ({ grantId, q }) => `/auditor/grants/${encodeURIComponent(grantId)}/transactions${toSearch(q)}`,
      providesTags: ['SharedWithMe'],
    }),
    sharedSummary: b.query<Summary, { grantId: string }>({
      query: ({ grantId }) => `/auditor/grants/${encodeURIComponent(grantId)}/summary`,
      providesTags: ['SharedWithMe'],
    }),
  }),
})

export const { useSharedWithMeQuery, useSharedTransactionsQuery, useSharedSummaryQuery } = auditorApi
