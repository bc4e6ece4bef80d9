import { afterEach, describe, expect, it } from 'vitest'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Profile } from './Profile'
import { makeStore } from '../app/store'
import { sessionLoaded } from '../app/sessionSlice'
import { onStepUp, settleStepUp } from '../api/stepUp'
import { useSessionQuery } from '../api/auth'
import { json, problem, renderRoutes, route, serve, userOf } from '../test/server'
import type { User } from '../api/types'

// The app keeps the session document subscribed (App.tsx), so that a change
// of the account shows at once; so does this.
function WithSession() {
  useSessionQuery()
  return <Profile />
}

function renderProfile(user: User) {
  const store = makeStore()
  store.dispatch(sessionLoaded({ user }))
  renderRoutes([{ path: '/profile', element: <WithSession /> }], '/profile', store)
  return store
}

const sessions = route('GET', '/api/v1/me/sessions', () => json({ sessions: [], events: [] }))
const stepUpAsked = (headers: Record<string, string> = {}) =>
  problem(401, 'step_up', 'this action needs a fresh sign-in', {}, { 'WWW-Authenticate': 'Bearer error="insufficient_user_authentication"', ...headers })

describe('Profile', () => {
  let unsubscribe = () => {}
  afterEach(() => unsubscribe())

  it('changes the password after the step-up the service asks for', async () => {
    let steppedUp = false
    const served = serve(
      sessions,
      route('GET', '/api/session', () => json({ user: userOf('user') })),
      route('PUT', '/api/v1/me/password', () => (steppedUp ? new Response(null, { status: 204 }) : stepUpAsked())),
    )
    unsubscribe = onStepUp((open) => {
      if (open) {
        steppedUp = true
        queueMicrotask(() => settleStepUp(true))
      }
    })
    renderProfile(userOf('user'))
    const form = screen.getByRole('form', { name: 'Change password' })
    await userEvent.type(within(form).getByLabelText('Current password'), 'the old password')
    await userEvent.type(within(form).getByLabelText('New password'), 'short')
    await userEvent.type(within(form).getByLabelText('Confirm new password'), 'short')
    await userEvent.click(within(form).getByRole('button', { name: 'Change password' }))
    expect(within(form).getByText('Use at least 12 characters.')).toBeInTheDocument()
    expect(served.requests.some((r) => r.method === 'PUT')).toBe(false)

    await userEvent.clear(within(form).getByLabelText('New password'))
    await userEvent.type(within(form).getByLabelText('New password'), 'a brand new password')
    await userEvent.clear(within(form).getByLabelText('Confirm new password'))
    await userEvent.type(within(form).getByLabelText('Confirm new password'), 'a brand new password')
    await userEvent.click(within(form).getByRole('button', { name: 'Change password' }))

    expect(await within(form).findByText(/^Your password was changed\./)).toBeInTheDocument()
    const puts = served.requests.filter((r) => r.method === 'PUT')
    expect(puts).toHaveLength(2)
    expect(await puts[1]!.json()).toEqual({ current_password: 'the old password', new_password: 'a brand new password' })
    expect(within(form).getByLabelText('Current password')).toHaveValue('')
  })

  it('keeps the session when the current password is wrong', async () => {
    serve(
      sessions,
      route('GET', '/api/session', () => json({ user: userOf('user') })),
      route('PUT', '/api/v1/me/password', () => problem(401, 'invalid_credentials', 'the current password is wrong')),
    )
    const store = renderProfile(userOf('user'))
    const form = screen.getByRole('form', { name: 'Change password' })
    await userEvent.type(within(form).getByLabelText('Current password'), 'not my password')
    await userEvent.type(within(form).getByLabelText('New password'), 'a brand new password')
    await userEvent.type(within(form).getByLabelText('Confirm new password'), 'a brand new password')
    await userEvent.click(within(form).getByRole('button', { name: 'Change password' }))
    expect(await within(form).findByText('The current password is wrong.')).toBeInTheDocument()
    expect(store.getState().session.ended).toBe('')
  })

  it('shows a refused current password on its field', async () => {
    serve(
      sessions,
      route('GET', '/api/session', () => json({ user: userOf('user') })),
      route('PUT', '/api/v1/me/password', () => problem(400, 'invalid_field', 'is not the current password', { field: 'current_password' })),
    )
    renderProfile(userOf('user'))
    const form = screen.getByRole('form', { name: 'Change password' })
    await userEvent.type(within(form).getByLabelText('Current password'), 'not my password')
    await userEvent.type(within(form).getByLabelText('New password'), 'a brand new password')
    await userEvent.type(within(form).getByLabelText('Confirm new password'), 'a brand new password')
    await userEvent.click(within(form).getByRole('button', { name: 'Change password' }))
    expect(await within(form).findByText('Is not the current password.')).toBeInTheDocument()
    expect(within(form).getByLabelText('Current password')).toHaveAttribute('aria-invalid', 'true')
  })

  it('says a password change is not available when the route is missing', async () => {
    serve(sessions, route('GET', '/api/session', () => json({ user: userOf('user') })))
    renderProfile(userOf('user'))
    const form = screen.getByRole('form', { name: 'Change password' })
    await userEvent.type(within(form).getByLabelText('Current password'), 'the old password')
    await userEvent.type(within(form).getByLabelText('New password'), 'a brand new password')
    await userEvent.type(within(form).getByLabelText('Confirm new password'), 'a brand new password')
    await userEvent.click(within(form).getByRole('button', { name: 'Change password' }))
    expect(await within(form).findByText(/Changing the password is not available/)).toBeInTheDocument()
  })

  it('turns TOTP off after a confirmation and a step-up, then shows it off', async () => {
    let enabled = true
    let steppedUp = false
    const served = serve(
      sessions,
      route('GET', '/api/session', () => json({ user: userOf('user', { totp_enabled: enabled }) })),
      route('DELETE', '/api/v1/me/totp', () => {
        if (!steppedUp) return stepUpAsked()
        enabled = false
        return new Response(null, { status: 204 })
      }),
    )
    unsubscribe = onStepUp((open) => {
      if (open) {
        steppedUp = true
        queueMicrotask(() => settleStepUp(true))
      }
    })
    renderProfile(userOf('user', { totp_enabled: true }))
    await userEvent.click(screen.getByRole('button', { name: 'Turn off two-factor authentication' }))
    const dialog = await screen.findByRole('dialog', { name: 'Turn off two-factor authentication?' })
    await userEvent.click(within(dialog).getByRole('button', { name: 'Turn off' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(await screen.findByRole('link', { name: 'Set up authenticator app' })).toBeInTheDocument()
    expect(served.requests.filter((r) => r.method === 'DELETE')).toHaveLength(2)
  })

  it('keeps TOTP on when the step-up is cancelled', async () => {
    serve(
      sessions,
      route('GET', '/api/session', () => json({ user: userOf('user', { totp_enabled: true }) })),
      route('DELETE', '/api/v1/me/totp', () => stepUpAsked()),
    )
    unsubscribe = onStepUp((open) => {
      if (open) queueMicrotask(() => settleStepUp(false))
    })
    renderProfile(userOf('user', { totp_enabled: true }))
    await userEvent.click(screen.getByRole('button', { name: 'Turn off two-factor authentication' }))
    const dialog = await screen.findByRole('dialog')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Turn off' }))
    expect(await within(dialog).findByText(/fresh sign-in/)).toBeInTheDocument()
    expect(screen.getByText('On')).toBeInTheDocument()
  })
})
