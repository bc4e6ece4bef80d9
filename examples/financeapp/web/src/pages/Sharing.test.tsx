import { describe, expect, it } from 'vitest'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Sharing } from './Sharing'
import { json, renderRoutes, route, serve } from '../test/server'
import type { Grant } from '../api/types'

describe('Sharing', () => {
  it('grants categories with an expiry and lists the grant', async () => {
    const grants: Grant[] = []
    const served = serve(
      route('GET', '/api/v1/grants', () => json({ grants })),
      route('GET', '/api/v1/auditors', () => json({ auditors: [{ id: 'aud1', display_name: 'Bob Auditor', email: 'bob@example.com' }] })),
      route('POST', '/api/v1/grants', async (req) => {
        const body = (await req.json()) as Grant
        grants.push({ ...body, id: 'g1', owner_id: 'u', created_at: '', auditor: { id: 'aud1', display_name: 'Bob Auditor', email: 'bob@example.com' } })
        return json(grants[0], 201)
      }),
    )
    renderRoutes([{ path: '/sharing', element: <Sharing /> }], '/sharing')
    expect(await screen.findByText('You are not sharing with anyone')).toBeInTheDocument()

    await userEvent.click(screen.getByRole('button', { name: 'Share with an auditor' }))
    const dialog = await screen.findByRole('dialog')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Share' }))
    expect(within(dialog).getByText('Pick an auditor.')).toBeInTheDocument()

    await userEvent.selectOptions(await within(dialog).findByLabelText('Auditor'), 'aud1')
    await userEvent.click(within(dialog).getByLabelText('Some categories'))
    await userEvent.click(within(dialog).getByRole('button', { name: 'Share' }))
    expect(within(dialog).getByText('Pick at least one category.')).toBeInTheDocument()

    await userEvent.click(within(dialog).getByLabelText('Saving'))
    await userEvent.click(within(dialog).getByLabelText('Investment'))
    await userEvent.click(within(dialog).getByRole('button', { name: 'Share' }))

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(await screen.findByText('Saving, Investment only')).toBeInTheDocument()
    const post = served.requests.find((r) => r.method === 'POST')
    const body = (await post?.json()) as Record<string, unknown>
    expect(body).toMatchObject({ auditor_id: 'aud1', scope: 'categories', categories: ['saving', 'investment'] })
    expect(body).not.toHaveProperty('date_from')
    expect(Date.parse(String(body.expires_at))).toBeGreaterThan(Date.now())
  })
})
