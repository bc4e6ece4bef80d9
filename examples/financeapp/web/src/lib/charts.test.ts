import { describe, expect, it } from 'vitest'
import type { Total, Transaction } from '../api/types'
import { byCategory, byMonth, growth, mainCurrency, niceTicks, stackedMax, summarize, totalsOf } from './charts'

const totals: Total[] = [
  { month: '2026-02', category: 'expense', currency: 'INR', amount_minor: 1000, count: 2 },
  { month: '2026-01', category: 'expense', currency: 'INR', amount_minor: 500, count: 1 },
  { month: '2026-01', category: 'saving', currency: 'INR', amount_minor: 2000, count: 1 },
  { month: '2026-02', category: 'investment', currency: 'INR', amount_minor: 3000, count: 1 },
  { month: '2026-02', category: 'expense', currency: 'USD', amount_minor: 99, count: 1 },
]

describe('chart data', () => {
  const s = summarize(totals)

  it('sums categories per currency', () => {
    expect(byCategory(s, 'INR')).toEqual([
      { category: 'expense', value: 1500, count: 3 },
      { category: 'saving', value: 2000, count: 1 },
      { category: 'investment', value: 3000, count: 1 },
    ])
    expect(byCategory(s, 'USD')).toEqual([{ category: 'expense', value: 99, count: 1 }])
  })

  it('orders months oldest first and never mixes currencies', () => {
    expect(byMonth(s, 'INR')).toEqual([
      { month: '2026-01', expense: 500, saving: 2000, investment: 0 },
      { month: '2026-02', expense: 1000, saving: 0, investment: 3000 },
    ])
  })

  it('accumulates savings and investments', () => {
    expect(growth(byMonth(s, 'INR'))).toEqual([
      { month: '2026-01', saving: 2000, investment: 0 },
      { month: '2026-02', saving: 2000, investment: 3000 },
    ])
  })

  it('picks the currency with the most transactions', () => {
    expect(mainCurrency(s)).toBe('INR')
    expect(mainCurrency(undefined, 'EUR')).toBe('EUR')
  })

  it('computes totals from transactions as the service does', () => {
    const tx = (date: string, category: Transaction['category'], amount_minor: number) =>
      ({ id: date + category, owner_id: 'o', amount_minor, currency: 'INR', payment_type: 'card', category, description: '', location: '', date, created_at: '', updated_at: '' }) as Transaction
    expect(totalsOf([tx('2026-01-05', 'expense', 100), tx('2026-01-09', 'expense', 50), tx('2026-02-01', 'saving', 7)])).toEqual([
      { month: '2026-01', category: 'expense', currency: 'INR', amount_minor: 150, count: 2 },
      { month: '2026-02', category: 'saving', currency: 'INR', amount_minor: 7, count: 1 },
    ])
  })
})

describe('niceTicks', () => {
  it('steps by round amounts and covers the maximum', () => {
    // ₹2,450.50 of spending: ₹0, ₹1,000, ₹2,000, ₹3,000 (minor units).
    expect(niceTicks(245_050)).toEqual([0, 100_000, 200_000, 300_000])
    // ₹12,450.50: steps of ₹5,000.
    expect(niceTicks(1_245_050)).toEqual([0, 500_000, 1_000_000, 1_500_000])
    // ₹15,000: steps of ₹5,000 reach it exactly.
    expect(niceTicks(1_500_000)).toEqual([0, 500_000, 1_000_000, 1_500_000])
    expect(niceTicks(900)).toEqual([0, 250, 500, 750, 1000])
  })

  it('never gives more than count steps, and only 0 for nothing', () => {
    for (const max of [1, 7, 99, 101, 12_345, 987_654_321]) {
      const t = niceTicks(max)
      expect(t.length - 1).toBeLessThanOrEqual(4)
      expect(t.at(-1)).toBeGreaterThanOrEqual(max)
    }
    expect(niceTicks(0)).toEqual([0])
    expect(niceTicks(Number.NaN)).toEqual([0])
  })

  it('measures the tallest stack', () => {
    const rows = byMonth(summarize(totals), 'INR')
    expect(stackedMax(rows, ['expense', 'saving', 'investment'])).toBe(4000)
    expect(stackedMax(rows, ['saving'])).toBe(2000)
  })
})
