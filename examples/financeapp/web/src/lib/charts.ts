import type { Category, CategoryTotal, MonthTotal, Summary, Total, Transaction } from '../api/types'

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

/**
 * niceTicks returns the ticks of a value axis from 0: round steps (1, 2, 2.5
 * or 5 times a power of ten), at most count of them, with the last one at or
 * above max. Chart values are minor units, so the steps are round in the
 * currency as well.
 */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0]
  const raw = max / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-12)) ?? 10 * mag
  const n = Math.ceil(max / step - 1e-9)
  return Array.from({ length: n + 1 }, (_, i) => Math.round(i * step))
}

/** stackedMax is the tallest stack of the given keys over the rows. */
export function stackedMax<K extends string>(rows: Record<K, number>[], keys: readonly K[]): number {
  return rows.reduce((m, r) => Math.max(m, keys.reduce((sum, k) => sum + (r[k] ?? 0), 0)), 0)
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

/** summarize folds the service's totals (month × category × currency) into chart shapes. */
export function summarize(totals: Total[]): Summary {
  const cats = new Map<string, CategoryTotal>()
  const months: MonthTotal[] = []
  for (const t of totals) {
    const key = `${t.category}/${t.currency}`
    const c = cats.get(key) ?? { category: t.category, currency: t.currency, total_minor: 0, count: 0 }
    c.total_minor += t.amount_minor
    c.count += t.count
    cats.set(key, c)
    months.push({ month: t.month, category: t.category, currency: t.currency, total_minor: t.amount_minor })
  }
  return { by_category: [...cats.values()], by_month: months }
}

/** totalsOf computes the summary totals of a list of transactions. */
export function totalsOf(items: Transaction[]): Total[] {
  const m = new Map<string, Total>()
  for (const t of items) {
    const month = t.date.slice(0, 7)
    const key = `${month}/${t.category}/${t.currency}`
    const total = m.get(key) ?? { month, category: t.category, currency: t.currency, amount_minor: 0, count: 0 }
    total.amount_minor += t.amount_minor
    total.count += 1
    m.set(key, total)
  }
  return [...m.values()]
}
