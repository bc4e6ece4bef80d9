import type { Category, Summary } from '../api/types'

/** CategorySlice is one slice of the spending-by-category chart. */
export interface CategorySlice {
  category: Category
  value: number
  count: number
}

/** MonthRow is one month of the trend charts, in minor units per category. */
export interface MonthRow {
  month: string
  expense: number
  saving: number
  investment: number
}

/** GrowthRow is one month of cumulative savings and investments. */
export interface GrowthRow {
  month: string
  saving: number
  investment: number
}

/** mainCurrency picks the currency with the most transactions in a summary. */
export function mainCurrency(s: Summary | undefined, fallback = 'INR'): string {
  const counts = new Map<string, number>()
  for (const t of s?.by_category ?? []) counts.set(t.currency, (counts.get(t.currency) ?? 0) + t.count)
  let best = fallback
  let n = -1
  for (const [c, k] of counts) if (k > n) [best, n] = [c, k]
  return best
}

/** byCategory returns the category totals in one currency. */
export function byCategory(s: Summary | undefined, currency: string): CategorySlice[] {
  return (s?.by_category ?? [])
    .filter((t) => t.currency === currency && t.total_minor > 0)
    .map((t) => ({ category: t.category, value: t.total_minor, count: t.count }))
}

/** byMonth returns one row per month, oldest first, in one currency. */
export function byMonth(s: Summary | undefined, currency: string): MonthRow[] {
  const rows = new Map<string, MonthRow>()
  for (const t of s?.by_month ?? []) {
    if (t.currency !== currency) continue
    const row = rows.get(t.month) ?? { month: t.month, expense: 0, saving: 0, investment: 0 }
    row[t.category] += t.total_minor
    rows.set(t.month, row)
  }
  return [...rows.values()].sort((a, b) => a.month.localeCompare(b.month))
}

/** growth accumulates savings and investments month over month. */
export function growth(rows: MonthRow[]): GrowthRow[] {
  let saving = 0
  let investment = 0
  return rows.map((r) => {
    saving += r.saving
    investment += r.investment
    return { month: r.month, saving, investment }
  })
}
