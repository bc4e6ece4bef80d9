// Formatting and parsing of money and dates. Money travels as integer minor
// units with an ISO 4217 currency; it is never a float in the API.

const digitsCache = new Map<string, number>()

/** fractionDigits returns how many minor-unit digits the currency has. */
export function fractionDigits(currency: string): number {
  const c = currency.toUpperCase()
  let d = digitsCache.get(c)
  if (d === undefined) {
    try {
      d = new Intl.NumberFormat('en', { style: 'currency', currency: c }).resolvedOptions()
        .maximumFractionDigits ?? 2
    } catch {
      d = 2
    }
    digitsCache.set(c, d)
  }
  return d
}

/** formatMoney shows an amount in minor units in its currency. */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  const d = fractionDigits(currency)
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 10 ** d)
  } catch {
    return `${(minor / 10 ** d).toFixed(d)} ${currency}`
  }
}

/** MoneyError says why a typed amount is not a valid amount. */
export class MoneyError extends Error {}

// Amounts the API accepts: at most this many minor units (2^53 - 1 would be
// exact in JavaScript, but the service bounds amounts far lower).
const maxMinor = 1_000_000_000_000

/**
 * parseMoney turns a typed amount ("1,234.50") into minor units. It rejects
 * negative numbers, more decimals than the currency has, and huge amounts.
 */
export function parseMoney(text: string, currency: string): number {
  const s = text.trim().replace(/[,\s_]/g, '')
  const d = fractionDigits(currency)
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s)
  if (!m) throw new MoneyError('Enter an amount like 12.50.')
  const whole = m[1] ?? '0'
  const frac = m[2] ?? ''
  if (frac.length > d) {
    throw new MoneyError(d === 0 ? `${currency} has no decimals.` : `Use at most ${d} decimals.`)
  }
  const minor = Number(whole) * 10 ** d + Number(frac.padEnd(d, '0') || '0')
  if (!Number.isSafeInteger(minor) || minor > maxMinor) throw new MoneyError('That amount is too large.')
  if (minor === 0) throw new MoneyError('The amount must be more than zero.')
  return minor
}

/** minorToInput shows minor units in the form a person edits ("12.50"). */
export function minorToInput(minor: number, currency: string): string {
  const d = fractionDigits(currency)
  return d === 0 ? String(minor) : (minor / 10 ** d).toFixed(d)
}

/** formatDate shows an ISO date (YYYY-MM-DD) without shifting its day. */
export function formatDate(iso: string, locale?: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number)
  if (!y || !m || !d) return iso
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  )
}

/** formatDateTime shows an RFC 3339 time in the person's time zone. */
export function formatDateTime(iso: string, locale?: string): string {
  const t = new Date(iso)
  if (Number.isNaN(t.getTime())) return iso
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(t)
}

/** formatMonth shows a month key (YYYY-MM) as "Mar 2026". */
export function formatMonth(key: string, locale?: string): string {
  const [y, m] = key.split('-').map(Number)
  if (!y || !m) return key
  return new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, 1)),
  )
}

/**
 * dayStart is the first instant of a local calendar day (YYYY-MM-DD) as an
 * RFC 3339 time; empty for an empty or invalid day.
 */
export function dayStart(day: string): string {
  const t = new Date(`${day}T00:00:00`)
  return day && !Number.isNaN(t.getTime()) ? t.toISOString() : ''
}

/** dayEnd is the last millisecond of a local calendar day as an RFC 3339 time. */
export function dayEnd(day: string): string {
  const t = new Date(`${day}T23:59:59.999`)
  return day && !Number.isNaN(t.getTime()) ? t.toISOString() : ''
}

/** today returns the local date as YYYY-MM-DD. */
export function today(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`
}

/** label capitalises an API enum value for display ("date_range" → "Date range"). */
export function label(value: string): string {
  if (value === 'upi') return 'UPI'
  const s = value.replace(/_/g, ' ')
  return s.charAt(0).toUpperCase() + s.slice(1)
}
