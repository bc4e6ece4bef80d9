import { api } from './base'
import { toSearch } from './query'
import type { Grant, TransactionPage, TransactionQuery } from './types'

/** auditorApi holds what an auditor reads: grants made to them and their scope. */
export const auditorApi = api.injectEndpoints({
  endpoints: (b) => ({
    sharedWithMe: b.query<Grant[], void>({
      query: () => '/v1/auditor/grants',
      transformResponse: (r: { grants: Grant[] }) => r.grants,
      providesTags: ['SharedWithMe'],
    }),
    sharedTransactions: b.query<TransactionPage, TransactionQuery & { owner_id: string }>({
      query: (q) => `/v1/auditor/transactions${toSearch(q)}`,
      providesTags: ['SharedWithMe'],
    }),
  }),
})

export const { useSharedWithMeQuery, useSharedTransactionsQuery } = auditorApi
