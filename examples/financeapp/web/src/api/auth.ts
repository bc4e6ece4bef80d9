import { api } from './base'
import { sessionEnded, sessionLoaded } from '../app/sessionSlice'
import type { SessionInfo, SignInRequest, SignUpRequest, TotpSetup, User } from './types'

/** authApi holds the session, account and second-factor routes. */
export const authApi = api.injectEndpoints({
  endpoints: (b) => ({
    session: b.query<SessionInfo, void>({
      query: () => '/session',
      providesTags: ['Session'],
      async onQueryStarted(_, { dispatch, queryFulfilled }) {
        try {
          const { data } = await queryFulfilled
          dispatch(sessionLoaded(data))
        } catch {
          dispatch(sessionLoaded({ user: null }))
        }
      },
    }),
    signUp: b.mutation<{ status: string }, SignUpRequest>({
      query: (body) => ({ url: '/auth/signup', method: 'POST', body }),
    }),
    signIn: b.mutation<SessionInfo, SignInRequest>({
      query: (body) => ({ url: '/auth/login', method: 'POST', body }),
      async onQueryStarted(_, { dispatch, queryFulfilled }) {
        try {
          const { data } = await queryFulfilled
          dispatch(sessionLoaded(data))
          dispatch(api.util.invalidateTags(['Session']))
        } catch {
          // The page shows the error.
        }
      },
    }),
    signOut: b.mutation<void, void>({
      query: () => ({ url: '/auth/logout', method: 'POST' }),
      async onQueryStarted(_, { dispatch, queryFulfilled }) {
        try {
          await queryFulfilled
        } finally {
          dispatch(sessionEnded('signed_out'))
        }
      },
    }),
    stepUp: b.mutation<void, { totp_code: string }>({
      query: (body) => ({ url: '/auth/step-up', method: 'POST', body }),
    }),
    updateProfile: b.mutation<User, { display_name: string }>({
      query: (body) => ({ url: '/profile', method: 'PATCH', body }),
      invalidatesTags: ['Session'],
    }),
    changePassword: b.mutation<void, { current_password: string; new_password: string }>({
      query: (body) => ({ url: '/profile/password', method: 'POST', body }),
    }),
    beginTotp: b.mutation<TotpSetup, void>({
      query: () => ({ url: '/profile/totp', method: 'POST' }),
    }),
    confirmTotp: b.mutation<void, { totp_code: string }>({
      query: (body) => ({ url: '/profile/totp/confirm', method: 'POST', body }),
      invalidatesTags: ['Session'],
    }),
    disableTotp: b.mutation<void, { totp_code: string }>({
      query: (body) => ({ url: '/profile/totp', method: 'DELETE', body }),
      invalidatesTags: ['Session'],
    }),
  }),
})

export const {
  useSessionQuery,
  useSignUpMutation,
  useSignInMutation,
  useSignOutMutation,
  useStepUpMutation,
  useUpdateProfileMutation,
  useChangePasswordMutation,
  useBeginTotpMutation,
  useConfirmTotpMutation,
  useDisableTotpMutation,
} = authApi
