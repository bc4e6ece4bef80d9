import { describe, expect, it } from 'vitest'
import { screen, waitFor } from '@testing-library/react'
import { RequireRole, Home } from './guards'
import { makeStore } from '../app/store'
import { sessionLoaded } from '../app/sessionSlice'
import { renderRoutes, userOf } from '../test/server'
import type { Role } from '../api/types'

const routes = [
  { path: '/', element: <Home /> },
  { path: '/signin', element: <p>sign-in page</p> },
  { path: '/dashboard', element: <RequireRole roles={['user']}><p>user page</p></RequireRole> },
  { path: '/auditor', element: <RequireRole roles={['auditor']}><p>auditor page</p></RequireRole> },
  { path: '/admin/approvals', element: <RequireRole roles={['admin']}><p>admin page</p></RequireRole> },
]

function storeAs(role: Role | null) {
  const store = makeStore()
  store.dispatch(sessionLoaded({ user: role ? userOf(role) : null }))
  return store
}

describe('route guards', () => {
  it.each([
    ['user', '/admin/approvals', '/dashboard'],
    ['auditor', '/dashboard', '/auditor'],
    ['admin', '/auditor', '/admin/approvals'],
    ['user', '/', '/dashboard'],
    ['admin', '/', '/admin/approvals'],
  ] as const)('sends a %s asking for %s to %s', async (role, path, landing) => {
    const { router } = renderRoutes(routes, path, storeAs(role))
    await waitFor(() => expect(router.state.location.pathname).toBe(landing))
  })

  it('sends an anonymous visitor to sign-in with the way back', async () => {
    const { router } = renderRoutes(routes, '/auditor', storeAs(null))
    await waitFor(() => expect(router.state.location.pathname).toBe('/signin'))
    expect(router.state.location.search).toBe('?next=%2Fauditor')
  })

  it('waits for the session before deciding', () => {
    renderRoutes(routes, '/dashboard', makeStore())
    expect(screen.getByRole('status')).toHaveTextContent('Checking your session')
  })
})
