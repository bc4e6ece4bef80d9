// A scripted stand-in for the public service (the browser's backend), used to
// run the end-to-end walk against vite preview before the real platform is
// available. It follows the contract of README.md: httpOnly session cookie,
// double-submit CSRF cookie + header, Origin check, problem details, step-up.
// It is test scaffolding, not a reference for the real service.
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { randomBytes, randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { totp } from './totp'

type Json = Record<string, unknown>
type Role = 'admin' | 'user' | 'auditor'

interface User {
  id: string
  email: string
  display_name: string
  password: string
  status: 'pending' | 'active' | 'rejected'
  role?: Role
  totp_secret?: string
  totp_enabled: boolean
  created_at: string
  updated_at: string
}

interface Session {
  id: string
  user_id: string
  stepped_up_at: number
  revoked: boolean
}

interface Tx {
  id: string
  owner_id: string
  amount_minor: number
  currency: string
  payment_type: string
  category: string
  description: string
  location: string
  date: string
  created_at: string
  updated_at: string
}

interface Grant {
  id: string
  owner_id: string
  auditor_id: string
  scope: 'all' | 'date_range' | 'categories'
  date_from?: string
  date_to?: string
  categories?: string[]
  expires_at: string
  revoked_at?: string
  created_at: string
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly field?: string,
  ) {
    super(detail)
  }
}

const now = () => new Date().toISOString()
const stepUpWindowMs = 5 * 60_000

/** MockBff is the in-memory backend; admin credentials are in admin. */
export class MockBff {
  readonly admin = { email: 'admin@example.com', password: 'correct horse battery staple' }
  private users: User[] = []
  private sessions = new Map<string, Session>()
  private txs: Tx[] = []
  private grants: Grant[] = []
  private drafts: Json[] = []
  private events: Json[] = []
  private audit: Json[] = []
  private alerts: Json[] = []
  private fails = new Map<string, number[]>()
  private server: Server | null = null

  constructor() {
    this.alerts.push({
      id: randomUUID(),
      time: new Date(Date.now() - 3 * 86_400_000).toISOString(),
      severity: 'medium',
      rule: 'falco.shell_in_container',
      subject: 'spiffe://financeapp.local/backend',
      summary: 'A shell was spawned in the backend container',
      response: 'workload quarantined',
    })
    this.users.push({
      id: randomUUID(),
      email: this.admin.email,
      display_name: 'Ada Admin',
      password: this.admin.password,
      status: 'active',
      role: 'admin',
      totp_enabled: false,
      created_at: now(),
      updated_at: now(),
    })
  }

  /** start listens on a loopback port and returns the base URL. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res))
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()))
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    try {
      const url = new URL(req.url ?? '/', 'http://x')
      const body = await readBody(req)
      const out = this.route(req, url, body, res)
      if (out === undefined) {
        res.writeHead(204).end()
      } else if (typeof out === 'string') {
        res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="transactions.csv"' }).end(out)
      } else {
        send(res, req.method === 'POST' && /\/(transactions|grants|confirm)$/.test(req.url ?? '') ? 201 : 200, out)
      }
    } catch (e) {
      const err = e instanceof HttpError ? e : new HttpError(500, 'internal', 'Internal error')
      send(res, err.status, { type: err.code, title: STATUS_CODES[err.status], status: err.status, detail: err.detail, field: err.field }, 'application/problem+json')
    }
  }

  private route(req: IncomingMessage, url: URL, body: Json, res: ServerResponse): unknown {
    const method = req.method ?? 'GET'
    const path = url.pathname.replace(/^\/api/, '')
    const cookies = parseCookies(req.headers.cookie)
    if (!['GET', 'HEAD'].includes(method)) this.checkCsrf(req, cookies)
    if (!cookies['__Host-csrf']) {
      res.appendHeader('Set-Cookie', `__Host-csrf=${randomBytes(16).toString('hex')}; Path=/; Secure; SameSite=Strict`)
    }
    const session = this.sessions.get(cookies['__Host-session'] ?? '')
    const me = session && !session.revoked ? this.users.find((u) => u.id === session.user_id) : undefined

    const m = (verb: string, pattern: RegExp) => (method === verb ? pattern.exec(path) : null)
    let p: RegExpExecArray | null

    // The browser's own session: tokens never leave the server.
    if (m('GET', /^\/session$/)) return { user: me ? publicUser(me) : null }
    if (m('POST', /^\/session$/)) return this.login(body, req, res)
    if (m('DELETE', /^\/session$/)) {
      if (session) session.revoked = true
      res.appendHeader('Set-Cookie', '__Host-session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0')
      return undefined
    }
    if (/^\/v1\/auth\/(login|refresh|step-up|logout)$/.test(path)) throw new HttpError(404, 'not_found', 'Not found.')
    if (m('POST', /^\/v1\/auth\/register$/)) return this.signUp(body, res)

    if (!me || !session) {
      res.setHeader('WWW-Authenticate', 'Bearer')
      throw new HttpError(401, 'unauthenticated', 'sign in to continue')
    }
    this.audit.unshift({ id: randomUUID(), time: now(), actor: me.email, action: `${method} ${path}`, resource: path, decision: 'allow', reason: 'policy.allow' })

    if (m('POST', /^\/session\/step-up$/)) {
      const ok = me.totp_enabled ? body.totp_code === totp(me.totp_secret ?? '') : body.password === me.password
      if (!ok) throw new HttpError(401, 'invalid_credentials', me.totp_enabled ? 'that code is not right' : 'wrong password')
      session.stepped_up_at = Date.now()
      return undefined
    }
    if (m('GET', /^\/v1\/me$/)) return publicUser(me)
    if (m('PATCH', /^\/v1\/me$/)) {
      me.display_name = String(body.display_name ?? me.display_name)
      return publicUser(me)
    }
    if (m('GET', /^\/v1\/me\/sessions$/)) return { sessions: [], events: this.events.filter((e) => e.user_id === me.id) }
    if (m('POST', /^\/v1\/me\/totp$/)) {
      if (me.totp_enabled) throw new HttpError(409, 'totp_enabled', 'TOTP is already enabled')
      me.totp_secret = randomBase32(32)
      return { secret: me.totp_secret, otpauth_url: `otpauth://totp/ztkit%20Finance:${encodeURIComponent(me.email)}?secret=${me.totp_secret}&issuer=ztkit%20Finance` }
    }
    if (m('POST', /^\/v1\/me\/totp\/confirm$/)) {
      if (!me.totp_secret) throw new HttpError(409, 'totp_not_pending', 'start TOTP setup first')
      if (body.code !== totp(me.totp_secret)) throw new HttpError(400, 'invalid_field', 'that code is not right', 'code')
      me.totp_enabled = true
      session.stepped_up_at = Date.now()
      return undefined
    }
    if (m('PUT', /^\/v1\/me\/password$/)) {
      this.requireStepUp(session, res)
      if (body.current_password !== me.password) throw new HttpError(400, 'invalid_field', 'is not the current password', 'current_password')
      if (String(body.new_password ?? '').length < 12) throw new HttpError(400, 'invalid_field', 'use at least 12 characters', 'new_password')
      me.password = String(body.new_password)
      return undefined
    }
    if (m('DELETE', /^\/v1\/me\/totp$/)) {
      if (!me.totp_enabled) throw new HttpError(409, 'totp_not_enabled', 'TOTP is not enabled')
      this.requireStepUp(session, res)
      me.totp_enabled = false
      me.totp_secret = undefined
      return undefined
    }

    if (me.role === 'user') {
      const mine = () => this.txs.filter((t) => t.owner_id === me.id)
      if (m('GET', /^\/v1\/transactions$/)) return this.page(this.filter(mine(), url), url)
      if (m('GET', /^\/v1\/transactions\/summary$/)) return { totals: totals(mine()) }
      if (m('GET', /^\/v1\/transactions\/export$/)) return toCsv(mine())
      if (m('POST', /^\/v1\/transactions$/)) return this.createTx(me.id, body)
      if ((p = m('PUT', /^\/v1\/transactions\/([^/]+)$/))) return this.updateTx(me.id, p[1] ?? '', body)
      if ((p = m('DELETE', /^\/v1\/transactions\/([^/]+)$/))) {
        this.txs = this.txs.filter((t) => !(t.id === p?.[1] && t.owner_id === me.id))
        return undefined
      }
      if (m('GET', /^\/v1\/auditors$/)) {
        return { auditors: this.users.filter((u) => u.role === 'auditor').map(({ id, email, display_name }) => ({ id, email, display_name })) }
      }
      if (m('GET', /^\/v1\/grants$/)) return { grants: this.grants.filter((g) => g.owner_id === me.id).map((g) => this.withPeople(g)) }
      if (m('POST', /^\/v1\/grants$/)) {
        this.requireStepUp(session, res)
        const g: Grant = { id: randomUUID(), owner_id: me.id, created_at: now(), ...(body as Omit<Grant, 'id' | 'owner_id' | 'created_at'>) }
        this.grants.push(g)
        return this.withPeople(g)
      }
      if ((p = m('DELETE', /^\/v1\/grants\/([^/]+)$/))) {
        const g = this.grants.find((x) => x.id === p?.[1] && x.owner_id === me.id)
        if (!g) throw new HttpError(404, 'not_found', 'no such resource')
        g.revoked_at = now()
        return undefined
      }
      if (m('GET', /^\/v1\/drafts$/)) {
        const status = url.searchParams.get('status')
        return { drafts: this.drafts.filter((d) => d.owner_id === me.id && (!status || d.status === status)) }
      }
      if ((p = m('POST', /^\/v1\/drafts\/([^/]+)\/(confirm|discard)$/))) {
        const d = this.drafts.find((x) => x.id === p?.[1] && x.owner_id === me.id)
        if (!d) throw new HttpError(404, 'not_found', 'no such resource')
        if (p[2] === 'confirm') {
          const t = this.createTx(me.id, d.transaction as Json)
          d.status = 'confirmed'
          d.transaction_id = t.id
          return t
        }
        d.status = 'discarded'
        return undefined
      }
    }

    if (me.role === 'auditor') {
      const active = () => this.grants.filter((g) => g.auditor_id === me.id && !g.revoked_at && new Date(g.expires_at) > new Date())
      if (m('GET', /^\/v1\/auditor\/grants$/)) return { grants: active().map((g) => this.withPeople(g)) }
      if (m('GET', /^\/v1\/auditor\/transactions$/)) {
        const owner = url.searchParams.get('owner_id')
        const grants = active().filter((g) => !owner || g.owner_id === owner)
        const scoped = this.txs.filter((t) => grants.some((g) => g.owner_id === t.owner_id && inScope(g, t)))
        return this.page(this.filter(scoped, url), url)
      }
    }

    if (me.role === 'admin') {
      if (m('GET', /^\/v1\/admin\/users$/)) {
        const status = url.searchParams.get('status')
        return { users: this.users.filter((u) => !status || u.status === status).map(publicUser) }
      }
      if ((p = m('PUT', /^\/v1\/admin\/users\/([^/]+)\/role$/))) {
        this.requireStepUp(session, res)
        const u = this.user(p[1])
        if (u.status === 'pending' && body.role === 'user') this.seedDrafts(u.id)
        u.status = 'active'
        u.role = body.role as Role
        return publicUser(u)
      }
      if ((p = m('POST', /^\/v1\/admin\/users\/([^/]+)\/reject$/))) {
        const u = this.user(p[1])
        u.status = 'rejected'
        return publicUser(u)
      }
      if ((p = m('DELETE', /^\/v1\/admin\/users\/([^/]+)$/))) {
        this.requireStepUp(session, res)
        this.users = this.users.filter((u) => u.id !== p?.[1])
        return undefined
      }
      if ((p = m('POST', /^\/v1\/admin\/users\/([^/]+)\/sessions\/revoke$/))) {
        const id = p[1]
        let revoked = 0
        for (const s of this.sessions.values()) {
          if (s.user_id === id && !s.revoked) {
            s.revoked = true
            revoked++
          }
        }
        this.events.unshift({ id: this.events.length + 1, user_id: id, event: 'revoke', address: '127.0.0.1', user_agent: 'admin console', at: now() })
        return { revoked }
      }
      if (m('GET', /^\/v1\/admin\/session-log$/)) {
        const uid = url.searchParams.get('user_id')
        const limit = Number(url.searchParams.get('limit') ?? 50)
        return { events: this.events.filter((e) => !uid || e.user_id === uid).slice(0, limit) }
      }
      if (m('GET', /^\/v1\/admin\/audit$/)) {
        const q = url.searchParams
        const time = (name: string) => {
          const v = q.get(name)
          if (v && Number.isNaN(Date.parse(v))) throw new HttpError(400, 'invalid_field', 'must be an RFC 3339 time', name)
          return v ? Date.parse(v) : undefined
        }
        const [from, to] = [time('from'), time('to')]
        const match = (e: Json) =>
          (!q.get('actor') || e.actor === q.get('actor')) &&
          (!q.get('action') || e.action === q.get('action')) &&
          (!q.get('decision') || e.decision === q.get('decision')) &&
          (from === undefined || Date.parse(String(e.time)) >= from) &&
          (to === undefined || Date.parse(String(e.time)) <= to)
        return this.page(this.audit.filter(match), url)
      }
      if (m('GET', /^\/v1\/admin\/alerts$/)) {
        const q = url.searchParams
        const rank = ['low', 'medium', 'high', 'critical']
        const min = rank.indexOf(q.get('min_severity') || 'low')
        if (min < 0) throw new HttpError(400, 'invalid_field', 'must be low, medium, high or critical', 'min_severity')
        const since = q.get('since') ? Date.parse(q.get('since') ?? '') : 0
        const limit = Number(q.get('limit') ?? 100)
        const alerts = this.alerts.filter((a) => rank.indexOf(String(a.severity)) >= min && Date.parse(String(a.time)) >= since)
        return { alerts: alerts.sort((a, b) => String(b.time).localeCompare(String(a.time))).slice(0, limit) }
      }
      if ((p = m('POST', /^\/v1\/admin\/alerts\/([^/]+)\/lift$/))) {
        this.requireStepUp(session, res)
        const a = this.alerts.find((x) => x.id === p?.[1])
        if (!a) throw new HttpError(404, 'not_found', 'no such alert')
        a.response = String(a.response ?? '').replace(/\b(?!notify)(\w+):taken\b/g, '$1:lifted')
        return a
      }
    }

    throw new HttpError(403, 'forbidden', 'the policy denied this request')
  }

  private checkCsrf(req: IncomingMessage, cookies: Record<string, string>) {
    const origin = req.headers.origin
    if (origin !== `http://${req.headers.host}`) throw new HttpError(403, 'csrf_origin', 'Cross-site request refused.')
    const token = cookies['__Host-csrf']
    if (!token || req.headers['x-csrf-token'] !== token) throw new HttpError(403, 'csrf_token', 'Missing or wrong CSRF token.')
  }

  private signUp(body: Json, res: ServerResponse) {
    const email = String(body.email ?? '').toLowerCase()
    if (String(body.password ?? '').length < 12) throw new HttpError(400, 'invalid_field', 'use at least 12 characters', 'password')
    const u: User = { id: randomUUID(), email, display_name: String(body.display_name), password: String(body.password), status: 'pending', totp_enabled: false, created_at: now(), updated_at: now() }
    // As the platform does: a registered email gets the same answer as a new one
    // and changes nothing, so that sign-up reveals no account.
    if (!this.users.some((x) => x.email === email)) this.users.push(u)
    res.statusCode = 202
    return publicUser(u)
  }

  private login(body: Json, req: IncomingMessage, res: ServerResponse) {
    const u = this.users.find((x) => x.email === String(body.email).toLowerCase() && x.password === body.password)
    const ua = String(req.headers['user-agent'] ?? '')
    if (!u) {
      const known = this.users.find((x) => x.email === String(body.email).toLowerCase())
      this.events.unshift({ id: this.events.length + 1, user_id: known?.id ?? '', event: 'login_failed', address: '127.0.0.1', user_agent: ua, at: now() })
      if (known) this.failedSignIn(known)
      throw new HttpError(401, 'invalid_credentials', 'wrong email or password')
    }
    if (u.status !== 'active') throw new HttpError(403, `account_${u.status}`, `the account is ${u.status}; an admin must approve it first`)
    if (u.totp_enabled && body.totp_code !== totp(u.totp_secret ?? '')) {
      throw new HttpError(401, 'totp_required', 'a valid TOTP code is required')
    }
    const s: Session = { id: randomBytes(24).toString('base64url'), user_id: u.id, stepped_up_at: Date.now(), revoked: false }
    this.sessions.set(s.id, s)
    this.events.unshift({ id: this.events.length + 1, user_id: u.id, session_id: s.id.slice(0, 8), event: 'login', address: '127.0.0.1', user_agent: ua, at: now() })
    res.appendHeader('Set-Cookie', `__Host-session=${s.id}; Path=/; Secure; HttpOnly; SameSite=Strict`)
    return { user: publicUser(u) }
  }

  /** failedSignIn raises a brute-force alert at 5 failures within 5 minutes, as the platform's detector does. */
  private failedSignIn(u: User) {
    const t = Date.now()
    const recent = [...(this.fails.get(u.id) ?? []), t].filter((x) => x > t - 5 * 60_000)
    this.fails.set(u.id, recent)
    if (recent.length === 5) {
      this.alerts.push({
        id: randomUUID(),
        time: now(),
        severity: 'high',
        rule: 'brute_force.account',
        subject: u.id,
        summary: 'repeated failed sign-ins for one account (5 within 5m0s) from 127.0.0.1',
        response: 'raise_risk:taken',
      })
    }
  }

  private requireStepUp(s: Session, res: ServerResponse) {
    if (Date.now() - s.stepped_up_at > stepUpWindowMs) {
      res.setHeader('WWW-Authenticate', 'Bearer error="insufficient_user_authentication"')
      throw new HttpError(401, 'step_up', 'this action needs a fresh sign-in')
    }
  }

  /** expireStepUp forgets every session's step-up, as time passing would. */
  expireStepUp() {
    for (const s of this.sessions.values()) s.stepped_up_at = 0
  }

  private user(id: string | undefined) {
    const u = this.users.find((x) => x.id === id)
    if (!u) throw new HttpError(404, 'not_found', 'No such user.')
    return u
  }

  private withPeople(g: Grant) {
    const pick = (id: string) => {
      const u = this.users.find((x) => x.id === id)
      return u && { id: u.id, email: u.email, display_name: u.display_name }
    }
    const active = !g.revoked_at && new Date(g.expires_at) > new Date()
    return { ...g, active, owner: pick(g.owner_id), auditor: pick(g.auditor_id) }
  }

  private createTx(owner: string, body: Json): Tx {
    const t: Tx = { id: randomUUID(), owner_id: owner, created_at: now(), updated_at: now(), ...(body as Omit<Tx, 'id' | 'owner_id' | 'created_at' | 'updated_at'>) }
    if (!Number.isSafeInteger(t.amount_minor) || t.amount_minor <= 0) throw new HttpError(422, 'invalid', 'Invalid amount.')
    this.txs.push(t)
    return t
  }

  private updateTx(owner: string, id: string, body: Json): Tx {
    const t = this.txs.find((x) => x.id === id && x.owner_id === owner)
    if (!t) throw new HttpError(404, 'not_found', 'Not found.')
    Object.assign(t, body, { updated_at: now() })
    return t
  }

  private seedDrafts(owner: string) {
    const d = (description: string, amount: number, flags: string[]) => ({
      id: randomUUID(),
      owner_id: owner,
      source_id: randomUUID(),
      transaction: { amount_minor: amount, currency: 'INR', payment_type: 'upi', category: 'expense', description, location: '', date: now().slice(0, 10) },
      flags,
      status: 'pending',
      created_at: now(),
    })
    this.drafts.push(d('Swiggy order', 48_900, []), d('KYC update fee', 999_00, ['phishing']))
  }

  private filter(list: Tx[], url: URL): Tx[] {
    const q = url.searchParams
    const out = list.filter(
      (t) =>
        (!q.get('from') || t.date >= (q.get('from') ?? '')) &&
        (!q.get('to') || t.date <= (q.get('to') ?? '')) &&
        (!q.get('category') || t.category === q.get('category')) &&
        (!q.get('payment_type') || t.payment_type === q.get('payment_type')),
    )
    const sort = q.get('sort') ?? 'date'
    const order = q.get('order') ?? 'desc'
    if (!['date', 'amount', 'description', 'category'].includes(sort)) throw new HttpError(400, 'invalid_field', 'must be date, amount, description or category', 'sort')
    if (!['asc', 'desc'].includes(order)) throw new HttpError(400, 'invalid_field', 'must be asc or desc', 'order')
    const key = (t: Tx) => (sort === 'amount' ? t.amount_minor : sort === 'date' ? t.date : sort === 'description' ? t.description : t.category)
    const dir = order === 'asc' ? 1 : -1
    return out.sort((a, b) => {
      const [x, y] = [key(a), key(b)]
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0
      return c * dir || b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id)
    })
  }

  private page<T>(list: T[], url: URL) {
    const start = Number(url.searchParams.get('cursor') ?? 0)
    const limit = Math.min(500, Math.max(1, Number(url.searchParams.get('limit') ?? 50)))
    const items = list.slice(start, start + limit)
    return start + limit < list.length ? { items, next: String(start + limit) } : { items }
  }
}

function inScope(g: Grant, t: Tx): boolean {
  if (g.scope === 'date_range') return t.date >= (g.date_from ?? '') && t.date <= (g.date_to ?? '')
  if (g.scope === 'categories') return (g.categories ?? []).includes(t.category)
  return true
}

function totals(list: Tx[]) {
  const out = new Map<string, Json>()
  for (const t of list) {
    const key = `${t.date.slice(0, 7)}/${t.category}/${t.currency}`
    const total = out.get(key) ?? { month: t.date.slice(0, 7), category: t.category, currency: t.currency, amount_minor: 0, count: 0 }
    total.amount_minor = Number(total.amount_minor) + t.amount_minor
    total.count = Number(total.count) + 1
    out.set(key, total)
  }
  return [...out.values()]
}

function toCsv(list: Tx[]): string {
  const esc = (v: unknown) => `"${String(v).replace(/"/g, '""')}"`
  const head = 'date,description,category,payment_type,amount_minor,currency,location'
  return [head, ...list.map((t) => [t.date, t.description, t.category, t.payment_type, t.amount_minor, t.currency, t.location].map(esc).join(','))].join('\n')
}

function publicUser(u: User) {
  const { password: _p, totp_secret: _s, ...rest } = u
  return rest
}

function randomBase32(n: number): string {
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  return [...randomBytes(n)].map((b) => a[b % 32]).join('')
}

function parseCookies(header = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k) out[k] = v.join('=')
  }
  return out
}

async function readBody(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  if (chunks.length === 0) return {}
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json
  } catch {
    throw new HttpError(400, 'bad_json', 'The body is not valid JSON.')
  }
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  if (res.statusCode === 202) status = 202
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(JSON.stringify(body))
}
