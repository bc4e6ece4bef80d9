import { describe, expect, it } from 'vitest'
import { MoneyError, formatDate, formatMoney, fractionDigits, label, minorToInput, parseMoney } from './format'

describe('parseMoney', () => {
  it.each([
    ['12.50', 'INR', 1250],
    ['1,234.5', 'USD', 123450],
    [' 7 ', 'EUR', 700],
    ['0.01', 'USD', 1],
    ['1500', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
  ])('reads %s %s as %d minor units', (text, currency, minor) => {
    expect(parseMoney(text, currency)).toBe(minor)
  })

  it.each([
    ['', 'INR', 'Enter an amount'],
    ['-5', 'INR', 'Enter an amount'],
    ['1e3', 'INR', 'Enter an amount'],
    ['12.345', 'USD', 'at most 2 decimals'],
    ['1.5', 'JPY', 'no decimals'],
    ['0', 'INR', 'more than zero'],
    ['99999999999999999999', 'INR', 'too large'],
    ['12,50.0.1', 'INR', 'Enter an amount'],
  ])('refuses %j in %s', (text, currency, why) => {
    expect(() => parseMoney(text, currency)).toThrowError(MoneyError)
    expect(() => parseMoney(text, currency)).toThrowError(new RegExp(why))
  })
})

describe('money display', () => {
  it('knows the minor units of each currency', () => {
    expect([fractionDigits('INR'), fractionDigits('JPY'), fractionDigits('KWD'), fractionDigits('???')]).toEqual([2, 0, 3, 2])
  })

  it('formats minor units without float drift', () => {
    expect(formatMoney(123456, 'USD', 'en-US')).toBe('$1,234.56')
    expect(formatMoney(1500, 'JPY', 'en-US')).toBe('¥1,500')
    expect(minorToInput(1005, 'INR')).toBe('10.05')
    expect(minorToInput(1500, 'JPY')).toBe('1500')
  })
})

describe('dates and labels', () => {
  it('shows a calendar date without shifting it across time zones', () => {
    expect(formatDate('2026-03-01', 'en-US')).toBe('Mar 1, 2026')
    expect(formatDate('not a date')).toBe('not a date')
  })

  it('labels enum values for people', () => {
    expect(label('upi')).toBe('UPI')
    expect(label('date_range')).toBe('Date range')
  })
})
