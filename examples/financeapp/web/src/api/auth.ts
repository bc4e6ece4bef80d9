import { api } from './base'
import { sessionEnded, sessionLoaded } from '../app/sessionSlice'
import type { PasswordChange, SessionInfo, SessionReport, SignInRequest, SignUpRequest, TotpSetup, User } from './types'

/** StepUpRequest proves the person again: a TOTP code, or the password without TOTP. */
export type StepUpRequest = { totp_code: string } | { password: string }

/** authApi holds the browser session, account and second-factor routes. */
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
    signUp: b.mutation<User, SignUpRequest>({
      query: (body) => ({ url: '/v1/auth/register', method: 'POST', body }),
    }),
    signIn: b.mutation<SessionInfo, SignInRequest>({
      query: (body) => ({ url: '/session', method: 'POST', body }),
      async onQueryStarted(_, { dispatch, queryFulfilled }) {
        try {
          const { data } = await queryFulfilled
          dispatch(sessionLoaded(data))
        } catch {
          // The page shows the error.
        }
      },
    }),
    signOut: b.mutation<void, void>({
      query: () => ({ url: '/session', method: 'DELETE' }),
      async onQueryStarted(_, { dispatch, queryFulfilled }) {
        try {
          await queryFulfilled
        } finally {
          dispatch(sessionEnded('signed_out'))
        }
      },
    }),
    stepUp: b.mutation<void, StepUpRequest>({
      query: (body) => ({ url: '/session/step-up', method: 'POST', body }),
    }),
    updateProfile: b.mutation<User, { display_name: string }>({
      query: (body) => ({ url: '/v1/me', method: 'PATCH', body }),
      invalidatesTags: ['Session'],
    }),
    mySessions: b.query<SessionReport, void>({
      query: () => '/v1/me/sessions',
      providesTags: ['Session'],
    }),
    beginTotp: b.mutation<TotpSetup, void>({
      query: () => ({ url: '/v1/me/totp', method: 'POST' }),
    }),
    confirmTotp: b.mutation<void, { code: string }>({
      query: (body) => ({ url: '/v1/me/totp/confirm', method: 'POST', body }),
      invalidatesTags: ['Session'],
    }),
    /** changePassword replaces the password (the service asks for a step-up). */
    changePassword: b.mutation<void, PasswordChange>({
      query: (body) => ({ url: '/v1/me/password', method: 'PUT', body }),
      invalidatesTags: ['Session'],
    }),
    /** disableTotp turns the second factor off (step-up with TOTP first). */
    disableTotp: b.mutation<void, void>({
      query: () => ({ url: '/v1/me/totp', method: 'DELETE' }),
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
  useMySessionsQuery,
  useBeginTotpMutation,
  useConfirmTotpMutation,
  useChangePasswordMutation,
  useDisableTotpMutation,
} = authApi
