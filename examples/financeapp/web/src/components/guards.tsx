import type { ReactNode } from 'react'
import { Navigate, useLocation } from 'react-router'
import { useSession } from '../app/hooks'
import type { Role } from '../api/types'
import { Loading } from './ui'

/** homeOf is the landing page of a role. */
export function homeOf(role: Role | undefined): string {
  switch (role) {
    case 'admin':
      return '/admin/approvals'
    case 'auditor':
      return '/auditor'
    case 'user':
      return '/dashboard'
    default:
      return '/profile'
  }
}

/**
 * RequireRole renders its children only for a signed-in person holding one
 * of roles (any role when roles is empty); others go to sign-in or their home.
 * The service enforces the same rules: this guard only keeps the UI tidy.
 */
export function RequireRole({ roles = [], children }: { roles?: Role[]; children: ReactNode }) {
  const { status, user } = useSession()
  const location = useLocation()
  if (status === 'unknown') return <Loading label="Checking your session…" />
  if (!user) {
    const next = encodeURIComponent(location.pathname + location.search)
    return <Navigate to={`/signin?next=${next}`} replace />
  }
  if (roles.length > 0 && (!user.role || !roles.includes(user.role))) {
    return <Navigate to={homeOf(user.role)} replace />
  }
  return children
}

/** Home sends a person to the landing page of their role. */
export function Home() {
  const { status, user } = useSession()
  if (status === 'unknown') return <Loading label="Checking your session…" />
  return <Navigate to={user ? homeOf(user.role) : '/signin'} replace />
}
