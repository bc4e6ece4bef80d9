// Wire types of the public service's HTTP API (the browser's backend). Field
// names follow the API's JSON (snake_case); nothing else in the UI depends on
// the shapes of requests beyond the api/ folder.

export type Role = 'admin' | 'user' | 'auditor'
export type AccountStatus = 'pending' | 'active' | 'rejected'
export type Category = 'expense' | 'saving' | 'investment'
export type PaymentType = 'card' | 'cash' | 'upi'

export const categories: Category[] = ['expense', 'saving', 'investment']
export const paymentTypes: PaymentType[] = ['card', 'cash', 'upi']
export const roles: Role[] = ['user', 'auditor', 'admin']

export interface User {
  id: string
  email: string
  display_name: string
  status: AccountStatus
  role?: Role
  totp_enabled: boolean
  created_at: string
  updated_at: string
}

export interface SessionInfo {
  user: User | null
  csrf_token?: string
}

export interface SignUpRequest {
  email: string
  display_name: string
  password: string
}

export interface SignInRequest {
  email: string
  password: string
  totp_code?: string
}

export interface TotpSetup {
  secret: string
  otpauth_url: string
}

export interface Transaction {
  id: string
  owner_id: string
  amount_minor: number
  currency: string
  payment_type: PaymentType
  category: Category
  description: string
  location: string
  date: string
  created_at: string
  updated_at: string
}

export type TransactionInput = Pick<
  Transaction,
  'amount_minor' | 'currency' | 'payment_type' | 'category' | 'description' | 'location' | 'date'
>

/** SortField is a column the service sorts a transaction list by. */
export type SortField = 'date' | 'amount' | 'description' | 'category'

/** SortOrder is the direction of a sort. */
export type SortOrder = 'asc' | 'desc'

/** TransactionFilter is what the service filters a transaction list by. */
export interface TransactionFilter {
  from?: string
  to?: string
  category?: Category | ''
  payment_type?: PaymentType | ''
}

/**
 * TransactionQuery asks for one page of a keyset-paginated list. The service
 * sorts by date, newest first, unless sort and order say otherwise; a cursor
 * belongs to the sort it was issued under.
 */
export interface TransactionQuery extends TransactionFilter {
  sort?: SortField
  order?: SortOrder
  /** limit is the page size (1 to 500). */
  limit?: number
  /** cursor is the next value of the previous page. */
  cursor?: string
}

/** TransactionPage is one page of a list; next is absent on the last page. */
export interface TransactionPage {
  items: Transaction[]
  next?: string
}

/** Total is one line of the summary: a month, a category and a currency. */
export interface Total {
  month: string
  category: Category
  currency: string
  amount_minor: number
  count: number
}

export interface CategoryTotal {
  category: Category
  currency: string
  total_minor: number
  count: number
}

export interface MonthTotal {
  month: string
  category: Category
  currency: string
  total_minor: number
}

/** Summary is the totals in the shapes the charts draw. */
export interface Summary {
  by_category: CategoryTotal[]
  by_month: MonthTotal[]
}

export type ScopeKind = 'all' | 'date_range' | 'categories'

export interface Grant {
  id: string
  owner_id: string
  auditor_id: string
  owner?: Pick<User, 'id' | 'email' | 'display_name'>
  auditor?: Pick<User, 'id' | 'email' | 'display_name'>
  scope: ScopeKind
  date_from?: string
  date_to?: string
  categories?: Category[]
  expires_at: string
  revoked_at?: string
  created_at: string
  active?: boolean
}

export interface GrantInput {
  auditor_id: string
  scope: ScopeKind
  date_from?: string
  date_to?: string
  categories?: Category[]
  expires_at: string
}

export interface Auditor {
  id: string
  email: string
  display_name: string
}

export interface Draft {
  id: string
  owner_id: string
  source_id: string
  transaction: TransactionInput
  flags?: string[]
  status: 'pending' | 'confirmed' | 'discarded'
  transaction_id?: string
  created_at: string
}

export interface Session {
  id: string
  user_id: string
  auth_methods: string[]
  address: string
  user_agent: string
  created_at: string
  expires_at: string
  revoked_at?: string
}

/** SessionReport is a person's own sessions and session log. */
export interface SessionReport {
  sessions: Session[]
  events: SessionEvent[]
}

export interface SessionEvent {
  id: number
  user_id: string
  session_id?: string
  event: string
  address: string
  user_agent: string
  at: string
}

export interface AuditEvent {
  id: string
  time: string
  actor: string
  action: string
  resource: string
  decision: 'allow' | 'deny' | string
  reason?: string
  address?: string
  trace_id?: string
}

export interface AuditQuery {
  actor?: string
  action?: string
  decision?: '' | 'allow' | 'deny'
  from?: string
  to?: string
  limit?: number
  cursor?: string
}

/** AuditPage is one page of the audit trail, newest first. */
export interface AuditPage {
  items: AuditEvent[]
  next?: string
}

export type Severity = 'low' | 'medium' | 'high' | 'critical'

/** severities lists the alert severities from the least to the most severe. */
export const severities: Severity[] = ['low', 'medium', 'high', 'critical']

/** AlertQuery filters the security alerts; since is an RFC 3339 time. */
export interface AlertQuery {
  min_severity?: Severity | ''
  since?: string
  limit?: number
}

/** PasswordChange replaces the password; the service asks for a step-up. */
export interface PasswordChange {
  current_password: string
  new_password: string
}

export interface SecurityAlert {
  id: string
  time: string
  severity: Severity
  rule: string
  subject?: string
  summary: string
  response?: string
}

/**
 * Problem is an RFC 9457 problem details document. The service puts a stable
 * code in type (invalid_field, step_up, totp_required, account_pending…) and
 * names the offending field of an invalid_field problem in field.
 */
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  field?: string
}
