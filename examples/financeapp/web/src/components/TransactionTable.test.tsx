import { describe, expect, it, vi } from 'vitest'
import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { TransactionTable, defaultSort, sortParams, sortRows } from './TransactionTable'
import type { Transaction } from '../api/types'

const tx = (id: string, date: string, amount_minor: number, description: string): Transaction => ({
  id,
  owner_id: 'o',
  amount_minor,
  currency: 'INR',
  payment_type: 'card',
  category: 'expense',
  description,
  location: '',
  date,
  created_at: '',
  updated_at: '',
})

const rows = [tx('a', '2026-01-03', 500, 'Books'), tx('b', '2026-01-01', 90000, 'Rent'), tx('c', '2026-01-02', 500, 'Apples')]

describe('TransactionTable', () => {
  it('sorts the page by a column, both ways, keeping ties stable', async () => {
    render(<TransactionTable page={{ items: rows, next: 'n1' }} isLoading={false} filtered={false} pageIndex={0} onPrev={() => {}} onNext={() => {}} />)
    const descriptions = () => within(screen.getAllByRole('rowgroup')[1]!).getAllByRole('row').map((r) => (r as HTMLTableRowElement).cells[1]?.querySelector("p")?.textContent)
    expect(descriptions()).toEqual(['Books', 'Apples', 'Rent'])

    await userEvent.click(screen.getByRole('button', { name: /Amount/ }))
    expect(descriptions()).toEqual(['Rent', 'Books', 'Apples'])
    expect(screen.getByRole('columnheader', { name: /Amount/ })).toHaveAttribute('aria-sort', 'descending')

    await userEvent.click(screen.getByRole('button', { name: /Amount/ }))
    expect(descriptions()).toEqual(['Books', 'Apples', 'Rent'])
    expect(sortRows(rows, { field: 'description', order: 'asc' }).map((t) => t.id)).toEqual(['c', 'a', 'b'])
  })

  it('leaves the order to the service when the parent sorts', async () => {
    const onSort = vi.fn()
    render(
      <TransactionTable
        page={{ items: rows }}
        isLoading={false}
        filtered={false}
        pageIndex={0}
        onPrev={() => {}}
        onNext={() => {}}
        sort={{ field: 'amount', order: 'asc' }}
        onSort={onSort}
      />,
    )
    const descriptions = within(screen.getAllByRole('rowgroup')[1]!).getAllByRole('row').map((r) => (r as HTMLTableRowElement).cells[1]?.querySelector('p')?.textContent)
    expect(descriptions).toEqual(['Books', 'Rent', 'Apples'])
    expect(screen.getByRole('columnheader', { name: /Amount/ })).toHaveAttribute('aria-sort', 'ascending')
    expect(screen.getByRole('columnheader', { name: /Date/ })).toHaveAttribute('aria-sort', 'none')

    await userEvent.click(screen.getByRole('button', { name: /Amount/ }))
    expect(onSort).toHaveBeenLastCalledWith({ field: 'amount', order: 'desc' })
    await userEvent.click(screen.getByRole('button', { name: /Description/ }))
    expect(onSort).toHaveBeenLastCalledWith({ field: 'description', order: 'desc' })
  })

  it('sends no sort parameters for the default order', () => {
    expect(sortParams(defaultSort)).toEqual({})
    expect(sortParams({ field: 'date', order: 'asc' })).toEqual({ sort: 'date', order: 'asc' })
    expect(sortParams({ field: 'amount', order: 'desc' })).toEqual({ sort: 'amount', order: 'desc' })
  })

  it('pages with the cursor of the service', async () => {
    const onNext = vi.fn()
    render(<TransactionTable page={{ items: rows, next: 'cursor-2' }} isLoading={false} filtered={false} pageIndex={0} onPrev={() => {}} onNext={onNext} />)
    expect(screen.getByRole('button', { name: 'Previous' })).toBeDisabled()
    await userEvent.click(screen.getByRole('button', { name: 'Next' }))
    expect(onNext).toHaveBeenCalledWith('cursor-2')
  })

  it('has read-only rows unless actions are given', () => {
    render(<TransactionTable page={{ items: rows }} isLoading={false} filtered={false} pageIndex={0} onPrev={() => {}} onNext={() => {}} />)
    expect(screen.queryByRole('button', { name: /Edit|Delete/ })).toBeNull()
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled()
  })

  it('tells an empty list from an empty filter', () => {
    const { rerender } = render(<TransactionTable page={{ items: [] }} isLoading={false} filtered={false} pageIndex={0} onPrev={() => {}} onNext={() => {}} />)
    expect(screen.getByText('No transactions yet')).toBeInTheDocument()
    rerender(<TransactionTable page={{ items: [] }} isLoading={false} filtered pageIndex={0} onPrev={() => {}} onNext={() => {}} />)
    expect(screen.getByText('No transactions match these filters')).toBeInTheDocument()
  })
})
