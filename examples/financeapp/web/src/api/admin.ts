import { api } from './base'
import { toSearch } from './query'
import type { AccountStatus, AlertQuery, AuditPage, AuditQuery, Role, SecurityAlert, SessionEvent, User } from './types'

/** adminApi holds the admin console's routes. */
export const adminApi = api.injectEndpoints({
  endpoints: (b) => ({
    users: b.query<User[], { status?: AccountStatus | ''; role?: Role | '' }>({
      query: (q) => `/v1/admin/users${toSearch(q)}`,
      transformResponse: (r: { users: User[] }) => r.users,
      providesTags: ['AdminUser'],
    }),
    /** setRole approves a pending user or changes an active user's role. */
    setRole: b.mutation<User, { id: string; role: Role }>({
      query: ({ id, role }) => ({ url: `/v1/admin/users/${encodeURIComponent(id)}/role`, method: 'PUT', body: { role } }),
      invalidatesTags: ['AdminUser', 'Audit'],
    }),
    rejectUser: b.mutation<User, string>({
      query: (id) => ({ url: `/v1/admin/users/${encodeURIComponent(id)}/reject`, method: 'POST' }),
      invalidatesTags: ['AdminUser', 'Audit'],
    }),
    deleteUser: b.mutation<void, string>({
      query: (id) => ({ url: `/v1/admin/users/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: ['AdminUser', 'Audit'],
    }),
    sessionLog: b.query<SessionEvent[], { user_id?: string; limit?: number }>({
      query: (q) => `/v1/admin/session-log${toSearch(q)}`,
      transformResponse: (r: { events: SessionEvent[] }) => r.events,
      providesTags: ['AdminSession'],
    }),
    revokeSessions: b.mutation<{ revoked: number }, string>({
      query: (id) => ({ url: `/v1/admin/users/${encodeURIComponent(id)}/sessions/revoke`, method: 'POST' }),
      invalidatesTags: ['AdminSession', 'Audit'],
    }),
    /** auditTrail reads one keyset page of the audit trail, newest first. */
    auditTrail: b.query<AuditPage, AuditQuery>({
      query: (q) => `/v1/admin/audit${toSearch(q)}`,
      providesTags: ['Audit'],
    }),
    /** alerts lists the detectors' alerts, newest first. */
    alerts: b.query<SecurityAlert[], AlertQuery>({
      query: (q) => `/v1/admin/alerts${toSearch(q)}`,
      transformResponse: (r: { alerts: SecurityAlert[] }) => r.alerts,
      providesTags: ['Alert'],
    }),
    /** liftAlert withdraws what the response to an alert put in place (step-up). */
    liftAlert: b.mutation<SecurityAlert, string>({
      query: (id) => ({ url: `/v1/admin/alerts/${encodeURIComponent(id)}/lift`, method: 'POST' }),
      invalidatesTags: ['Alert', 'Audit'],
    }),
  }),
})

export const {
  useUsersQuery,
  useSetRoleMutation,
  useRejectUserMutation,
  useDeleteUserMutation,
  useSessionLogQuery,
  useRevokeSessionsMutation,
  useAuditTrailQuery,
  useAlertsQuery,
  useLiftAlertMutation,
} = adminApi
