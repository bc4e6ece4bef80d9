import { describe, expect, it, vi } from 'vitest'
import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { TransactionForm, blankTransaction } from './TransactionForm'

function setup() {
  const onSubmit = vi.fn()
  render(<TransactionForm initial={{ ...blankTransaction('INR'), date: '2026-03-04' }} submitLabel="Add" onSubmit={onSubmit} onCancel={() => {}} />)
  return onSubmit
}

describe('TransactionForm', () => {
  it('sends the amount as integer minor units', async () => {
    const onSubmit = setup()
    await userEvent.type(screen.getByLabelText('Description'), '  Rent  ')
    await userEvent.type(screen.getByLabelText('Amount'), '12,000.5')
    await userEvent.selectOptions(screen.getByLabelText('Payment type'), 'upi')
    await userEvent.click(screen.getByRole('button', { name: 'Add' }))
    expect(onSubmit).toHaveBeenCalledWith({
      amount_minor: 1200050,
      currency: 'INR',
      payment_type: 'upi',
      category: 'expense',
      description: 'Rent',
      location: '',
      date: '2026-03-04',
    })
  })

  it('shows what is wrong and sends nothing', async () => {
    const onSubmit = setup()
    await userEvent.type(screen.getByLabelText('Amount'), '1.234')
    await userEvent.click(screen.getByRole('button', { name: 'Add' }))
    expect(onSubmit).not.toHaveBeenCalled()
    expect(screen.getByLabelText('Amount')).toHaveAttribute('aria-invalid', 'true')
    expect(screen.getByText('Use at most 2 decimals.')).toBeInTheDocument()
    expect(screen.getByText('Describe the transaction.')).toBeInTheDocument()
  })

  it('follows the currency for decimals', async () => {
    const onSubmit = setup()
    await userEvent.type(screen.getByLabelText('Description'), 'Sushi')
    await userEvent.selectOptions(screen.getByLabelText('Currency'), 'JPY')
    await userEvent.type(screen.getByLabelText('Amount'), '1500')
    await userEvent.click(screen.getByRole('button', { name: 'Add' }))
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ amount_minor: 1500, currency: 'JPY' }))
  })

  it('shows a field error from the service next to its field', () => {
    render(
      <TransactionForm
        initial={blankTransaction()}
        submitLabel="Add"
        error={{ status: 400, code: 'invalid_field', message: 'x', fields: { date: 'Must be a real date.' } }}
        onSubmit={() => {}}
        onCancel={() => {}}
      />,
    )
    expect(screen.getByLabelText('Date')).toHaveAccessibleDescription('Must be a real date.')
  })
})
