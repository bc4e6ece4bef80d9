import { describe, expect, it } from 'vitest'
import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Dashboard } from './Dashboard'
import { makeStore } from '../app/store'
import { sessionLoaded } from '../app/sessionSlice'
import { json, renderRoutes, route, serve, userOf } from '../test/server'
import type { Transaction } from '../api/types'

const tx = (id: string, amount_minor: number, description: string): Transaction => ({
  id,
  owner_id: 'user-1',
  amount_minor,
  currency: 'INR',
  payment_type: 'card',
  category: 'expense',
  description,
  location: '',
  date: '2026-11-02',
  created_at: '',
  updated_at: '',
})

describe('Dashboard', () => {
  it('asks the service to sort by a clicked column, from the first page', async () => {
    const served = serve(
      route('GET', '/api/v1/transactions/summary', () => json({ totals: [] })),
      route('GET', '/api/v1/transactions', (_req, url) => {
        const q = url.searchParams
        if (q.get('sort') === 'amount') {
          const items = [tx('big', 900_00, 'Rent'), tx('small', 5_00, 'Tea')]
          return json({ items: q.get('order') === 'asc' ? items.reverse() : items })
        }
        return q.get('cursor') ? json({ items: [tx('old', 7_00, 'Older one')] }) : json({ items: [tx('new', 5_00, 'Tea')], next: 'c2' })
      }),
    )
    const store = makeStore()
    store.dispatch(sessionLoaded({ user: userOf('user') }))
    renderRoutes([{ path: '/dashboard', element: <Dashboard /> }], '/dashboard', store)

    await userEvent.click(await screen.findByRole('button', { name: 'Next' }))
    expect(await screen.findByText('Older one')).toBeInTheDocument()

    await userEvent.click(screen.getByRole('button', { name: /^Amount/ }))
    expect(await screen.findByText('Rent')).toBeInTheDocument()
    const lists = () => served.requests.filter((r) => new URL(r.url).pathname === '/api/v1/transactions').map((r) => new URL(r.url).searchParams)
    let last = lists().at(-1)
    expect(last?.get('sort')).toBe('amount')
    expect(last?.get('order')).toBe('desc')
    expect(last?.has('cursor')).toBe(false)
    expect(screen.getByText(/Page 1/)).toBeInTheDocument()
    expect(screen.getByRole('columnheader', { name: /Amount/ })).toHaveAttribute('aria-sort', 'descending')

    await userEvent.click(screen.getByRole('button', { name: /^Amount/ }))
    await waitFor(() => expect(lists().at(-1)?.get('order')).toBe('asc'))
    last = lists().at(-1)
    expect(last?.get('sort')).toBe('amount')
    await waitFor(() => expect(screen.getByRole('columnheader', { name: /Amount/ })).toHaveAttribute('aria-sort', 'ascending'))
  })
})
