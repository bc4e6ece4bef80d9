import { describe, expect, it } from 'vitest'
import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { SignIn, safeNext } from './SignIn'
import { json, problem, renderRoutes, route, serve, userOf } from '../test/server'

const routes = [
  { path: '/signin', element: <SignIn /> },
  { path: '/dashboard', element: <p>dashboard</p> },
  { path: '/auditor', element: <p>auditor home</p> },
  { path: '/sharing', element: <p>sharing</p> },
]

async function fill(email: string, password: string) {
  await userEvent.type(screen.getByLabelText('Email'), email)
  await userEvent.type(screen.getByLabelText('Password'), password)
  await userEvent.click(screen.getByRole('button', { name: 'Sign in' }))
}

describe('SignIn', () => {
  it('asks for a TOTP code when the service requires one, then signs in', async () => {
    const served = serve(
      route('POST', '/api/session', async (req) => {
        const body = (await req.json()) as { totp_code?: string }
        return body.totp_code === '123456' ? json({ user: userOf('user') }) : problem(401, 'totp_required', 'a valid TOTP code is required')
      }),
    )
    const { router, store } = renderRoutes(routes, '/signin')
    await fill('u@example.com', 'a long password')
    const code = await screen.findByLabelText('Authentication code')
    expect(screen.queryByRole('alert')).toBeNull()

    await userEvent.type(code, '123456')
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }))
    await waitFor(() => expect(router.state.location.pathname).toBe('/dashboard'))
    expect(store.getState().session.user?.role).toBe('user')
    const bodies = await Promise.all(served.requests.map((r) => r.json()))
    expect(bodies[1]).toEqual({ email: 'u@example.com', password: 'a long password', totp_code: '123456' })
  })

  it('explains a pending account', async () => {
    serve(route('POST', '/api/session', () => problem(403, 'account_pending', 'the account is pending; an admin must approve it first')))
    renderRoutes(routes, '/signin')
    await fill('p@example.com', 'a long password')
    expect(await screen.findByText('Waiting for approval')).toBeInTheDocument()
  })

  it('shows wrong credentials as an alert', async () => {
    serve(route('POST', '/api/session', () => problem(401, 'invalid_credentials', 'wrong email or password')))
    renderRoutes(routes, '/signin')
    await fill('x@example.com', 'nope')
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password.')
  })

  it('returns to the page asked for, on this site only', async () => {
    serve(route('POST', '/api/session', () => json({ user: userOf('user') })))
    const { router } = renderRoutes(routes, '/signin?next=%2Fsharing')
    await fill('u@example.com', 'a long password')
    await waitFor(() => expect(router.state.location.pathname).toBe('/sharing'))
  })

  it.each([
    ['/sharing', '/sharing'],
    ['//evil.example/x', null],
    ['/\\evil.example', null],
    ['https://evil.example', null],
    ['javascript:alert(1)', null],
    [null, null],
  ])('safeNext(%j) is %j', (next, want) => {
    expect(safeNext(next)).toBe(want)
  })
})
