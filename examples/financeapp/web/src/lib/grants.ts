import type { Grant } from '../api/types'
import { formatDate, label } from './format'

/** describeScope says in words what a grant lets its auditor see. */
export function describeScope(g: Pick<Grant, 'scope' | 'date_from' | 'date_to' | 'categories'>): string {
  switch (g.scope) {
    case 'all':
      return 'All transactions'
    case 'date_range':
      return `Transactions from ${formatDate(g.date_from ?? '')} to ${formatDate(g.date_to ?? '')}`
    case 'categories':
      return `${(g.categories ?? []).map(label).join(', ')} only`
  }
}

/** grantState says whether a grant is active, expired or revoked at now. */
export function grantState(g: Pick<Grant, 'expires_at' | 'revoked_at'>, now = new Date()): 'active' | 'expired' | 'revoked' {
  if (g.revoked_at) return 'revoked'
  return new Date(g.expires_at) > now ? 'active' : 'expired'
}
