import { describe, expect, it } from 'vitest'
import { screen } from '@testing-library/react'
import { Layout } from './Layout'
import { makeStore } from '../app/store'
import { sessionLoaded } from '../app/sessionSlice'
import { renderRoutes, userOf } from '../test/server'

// jsdom computes no layout, so the geometry itself (the column as tall as the
// page, the navigation pinned while the content scrolls) is measured by the
// walk in Chromium on every page; this pins down the structure it relies on.
describe('Layout', () => {
  function renderAt(path: string) {
    const store = makeStore()
    store.dispatch(sessionLoaded({ user: userOf('user', { display_name: 'A very long display name indeed' }) }))
    renderRoutes([{ path: '/', element: <Layout />, children: [{ path: 'dashboard', element: <p>page</p> }] }], path, store)
  }

  it('keeps the sidebar in the flow, stretched, with a sticky full-height navigation', () => {
    renderAt('/dashboard')
    const aside = screen.getByTestId('sidebar')
    expect(aside.className).not.toMatch(/\bfixed\b/)
    expect(aside.className).toMatch(/\bbg-slate-900\b/)
    expect(aside.parentElement?.className).toMatch(/\bmin-h-screen\b/)
    expect(aside.parentElement?.className).toMatch(/\blg:flex\b/)
    const pinned = aside.firstElementChild
    expect(pinned?.className).toMatch(/\bsticky\b/)
    expect(pinned?.className).toMatch(/\btop-0\b/)
    expect(pinned?.className).toMatch(/\bh-screen\b/)
    expect(screen.getByRole('main').className).not.toMatch(/ml-64/)
  })

  it('shows the role navigation and the account', () => {
    renderAt('/dashboard')
    const nav = screen.getByRole('navigation', { name: 'Main' })
    expect(nav).toHaveTextContent('Dashboard')
    expect(nav).toHaveTextContent('Profile & security')
    expect(screen.getByTitle('A very long display name indeed')).toBeInTheDocument()
  })
})
