import { describe, expect, it } from 'vitest'
import { describeError, sentence } from './problem'

describe('describeError', () => {
  it('shows the detail of a problem and maps its field', () => {
    const e = describeError({ status: 400, data: { type: 'invalid_field', title: 'Bad Request', status: 400, detail: 'must be one of card, cash, upi', field: 'payment_type' } })
    expect(e).toEqual({ status: 400, code: 'invalid_field', message: 'Must be one of card, cash, upi.', fields: { payment_type: 'Must be one of card, cash, upi.' } })
  })

  it('explains a status without a body', () => {
    expect(describeError({ status: 429, data: null }).message).toMatch(/Too many attempts/)
    expect(describeError({ status: 'FETCH_ERROR', error: 'TypeError' }).message).toMatch(/cannot be reached/)
    expect(describeError(undefined).message).toBe('Something went wrong.')
    expect(describeError({ status: 'PARSING_ERROR', originalStatus: 404, data: '404 page not found', error: 'SyntaxError' })).toMatchObject({ status: 404, message: 'Not found.' })
  })

  it('never shows a problem title alone when the status explains more', () => {
    expect(describeError({ status: 403, data: { type: 'forbidden', title: 'Forbidden', status: 403 } }).message).toBe('You do not have access to this.')
  })
})

describe('sentence', () => {
  it('capitalises and ends with a full stop once', () => {
    expect(sentence('wrong email or password')).toBe('Wrong email or password.')
    expect(sentence('Done!')).toBe('Done!')
    expect(sentence('  ')).toBe('')
  })
})
