import { describe, expect, it } from 'vitest'
import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Inbox } from './Inbox'
import { json, renderRoutes, route, serve } from '../test/server'
import type { Draft } from '../api/types'

const draft = (id: string, description: string, flags: string[] = []): Draft => ({
  id,
  owner_id: 'u',
  source_id: `sms-${id}`,
  transaction: { amount_minor: 48900, currency: 'INR', payment_type: 'upi', category: 'expense', description, location: '', date: '2026-03-02' },
  flags,
  status: 'pending',
  created_at: '2026-03-02T10:00:00Z',
})

describe('Inbox', () => {
  it('flags phishing and confirms a corrected draft', async () => {
    let drafts = [draft('d1', 'Swiggy order'), draft('d2', 'KYC update fee', ['phishing'])]
    const served = serve(
      route('GET', '/api/v1/drafts', () => json({ drafts })),
      route('POST', '/api/v1/drafts/d1/confirm', () => {
        drafts = drafts.filter((d) => d.id !== 'd1')
        return json({ id: 't1' }, 201)
      }),
    )
    renderRoutes([{ path: '/inbox', element: <Inbox /> }], '/inbox')
    expect(await screen.findByText('Phishing')).toBeInTheDocument()
    expect(screen.getByText(/looks suspicious/)).toBeInTheDocument()

    await userEvent.click(screen.getByRole('button', { name: 'Correct Swiggy order and confirm' }))
    const amount = screen.getByLabelText('Amount')
    expect(amount).toHaveValue('489.00')
    await userEvent.clear(amount)
    await userEvent.type(amount, '499')
    await userEvent.click(screen.getByRole('dialog').querySelector('button[type=submit]') as HTMLElement)

    await waitFor(() => expect(screen.queryByText('Swiggy order')).toBeNull())
    const confirm = served.requests.find((r) => r.method === 'POST')
    expect(await confirm?.json()).toMatchObject({ amount_minor: 49900, description: 'Swiggy order' })
  })

  it('says so when the inbox is clear', async () => {
    serve(route('GET', '/api/v1/drafts', () => json({ drafts: [] })))
    renderRoutes([{ path: '/inbox', element: <Inbox /> }], '/inbox')
    expect(await screen.findByText('Your inbox is clear')).toBeInTheDocument()
  })
})
