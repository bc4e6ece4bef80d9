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

export type SortField = 'date' | 'amount_minor' | 'description' | 'category'

export interface TransactionQuery {
  from?: string
  to?: string
  category?: Category | ''
  payment_type?: PaymentType | ''
  q?: string
  sort?: SortField
  order?: 'asc' | 'desc'
  page?: number
  page_size?: number
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
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
  page?: number
  page_size?: number
}

export interface SecurityAlert {
  id: string
  time: string
  severity: 'low' | 'medium' | 'high' | 'critical'
  rule: string
  subject?: string
  summary: string
  response?: string
}

/** Problem is an RFC 9457 problem details document. */
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  code?: string
  errors?: { field: string; message: string }[]
}
