import { api } from './base'
import { toSearch } from './query'
import type {
  AccountStatus,
  AuditEvent,
  AuditQuery,
  Page,
  Role,
  SecurityAlert,
  Session,
  SessionEvent,
  User,
} from './types'

/** adminApi holds the admin console's routes. */
export const adminApi = api.injectEndpoints({
  endpoints: (b) => ({
    users: b.query<User[], { status?: AccountStatus | '' }>({
      query: (q) => `/admin/users${toSearch(q)}`,
      providesTags: ['AdminUser'],
    }),
    approveUser: b.mutation<User, { id: string; role: Role }>({
      query: ({ id, role }) => ({ url: `/admin/users/${encodeURIComponent(id)}/approve`, method: 'POST', body: { role } }),
      invalidatesTags: ['AdminUser', 'Audit'],
    }),
    rejectUser: b.mutation<void, string>({
      query: (id) => ({ url: `/admin/users/${encodeURIComponent(id)}/reject`, method: 'POST' }),
      invalidatesTags: ['AdminUser', 'Audit'],
    }),
    setRole: b.mutation<User, { id: string; role: Role }>({
      query: ({ id, role }) => ({ url: `/admin/users/${encodeURIComponent(id)}/role`, method: 'PUT', body: { role } }),
      invalidatesTags: ['AdminUser', 'Audit'],
    }),
    deleteUser: b.mutation<void, string>({
      query: (id) => ({ url: `/admin/users/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: ['AdminUser', 'Audit'],
    }),
    userSessions: b.query<Session[], string>({
      query: (id) => `/admin/users/${encodeURIComponent(id)}/sessions`,
      providesTags: ['AdminSession'],
    }),
    sessionLog: b.query<Page<SessionEvent>, { user_id?: string; page?: number; page_size?: number }>({
      query: (q) => `/admin/session-events${toSearch(q)}`,
      providesTags: ['AdminSession'],
    }),
    revokeSessions: b.mutation<void, string>({
      query: (id) => ({ url: `/admin/users/${encodeURIComponent(id)}/revoke-sessions`, method: 'POST' }),
      invalidatesTags: ['AdminSession', 'Audit'],
    }),
    auditTrail: b.query<Page<AuditEvent>, AuditQuery>({
      query: (q) => `/admin/audit${toSearch(q)}`,
      providesTags: ['Audit'],
    }),
    alerts: b.query<SecurityAlert[], void>({
      query: () => '/admin/alerts',
      providesTags: ['Alert'],
    }),
  }),
})

export const {
  useUsersQuery,
  useApproveUserMutation,
  useRejectUserMutation,
  useSetRoleMutation,
  useDeleteUserMutation,
  useUserSessionsQuery,
  useSessionLogQuery,
  useRevokeSessionsMutation,
  useAuditTrailQuery,
  useAlertsQuery,
} = adminApi
