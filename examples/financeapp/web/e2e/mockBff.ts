// A scripted stand-in for the public service (the browser's backend), used to
// run the end-to-end walk against vite preview before the real platform is
// available. It follows the contract of README.md: httpOnly session cookie,
// double-submit CSRF cookie + header, Origin check, problem details, step-up.
// It is test scaffolding, not a reference for the real service.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
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
    readonly title: string,
  ) {
    super(title)
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
  private server: Server | null = null

  constructor() {
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
        send(res, 200, out)
      }
    } catch (e) {
      const err = e instanceof HttpError ? e : new HttpError(500, 'internal', 'Internal error')
      send(res, err.status, { type: 'about:blank', title: err.title, status: err.status, code: err.code }, 'application/problem+json')
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

    if (m('GET', /^\/session$/)) return { user: me ? publicUser(me) : null }
    if (m('POST', /^\/auth\/signup$/)) return this.signUp(body)
    if (m('POST', /^\/auth\/login$/)) return this.login(body, req, res)
    if (m('POST', /^\/auth\/logout$/)) {
      if (session) session.revoked = true
      res.appendHeader('Set-Cookie', '__Host-session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0')
      return undefined
    }

    if (!me || !session) throw new HttpError(401, 'unauthenticated', 'Sign in to continue.')
    this.audit.unshift({ id: randomUUID(), time: now(), actor: me.email, action: `${method} ${path}`, resource: path, decision: 'allow', reason: 'policy.allow' })

    if (m('POST', /^\/auth\/step-up$/)) {
      if (!me.totp_secret || body.totp_code !== totp(me.totp_secret)) throw new HttpError(401, 'totp_invalid', 'That code is not right.')
      session.stepped_up_at = Date.now()
      return undefined
    }
    if (m('PATCH', /^\/profile$/)) {
      me.display_name = String(body.display_name ?? me.display_name)
      return publicUser(me)
    }
    if (m('POST', /^\/profile\/totp$/)) {
      me.totp_secret = randomBase32(32)
      return { secret: me.totp_secret, otpauth_url: `otpauth://totp/ztkit%20Finance:${encodeURIComponent(me.email)}?secret=${me.totp_secret}&issuer=ztkit%20Finance` }
    }
    if (m('POST', /^\/profile\/totp\/confirm$/)) {
      if (!me.totp_secret || body.totp_code !== totp(me.totp_secret)) throw new HttpError(400, 'totp_invalid', 'That code is not right.')
      me.totp_enabled = true
      session.stepped_up_at = Date.now()
      return undefined
    }

    if (me.role === 'user') {
      if (m('GET', /^\/transactions$/)) return this.page(this.filter(this.txs.filter((t) => t.owner_id === me.id), url), url)
      if (m('GET', /^\/transactions\/summary$/)) return summarize(this.filter(this.txs.filter((t) => t.owner_id === me.id), url))
      if (m('GET', /^\/transactions\/export\.csv$/)) return toCsv(this.filter(this.txs.filter((t) => t.owner_id === me.id), url))
      if (m('POST', /^\/transactions$/)) return this.createTx(me.id, body)
      if ((p = m('PUT', /^\/transactions\/([^/]+)$/))) return this.updateTx(me.id, p[1] ?? '', body)
      if ((p = m('DELETE', /^\/transactions\/([^/]+)$/))) {
        this.txs = this.txs.filter((t) => !(t.id === p?.[1] && t.owner_id === me.id))
        return undefined
      }
      if (m('GET', /^\/auditors$/)) return this.users.filter((u) => u.role === 'auditor').map(({ id, email, display_name }) => ({ id, email, display_name }))
      if (m('GET', /^\/grants$/)) return this.grants.filter((g) => g.owner_id === me.id).map((g) => this.withPeople(g))
      if (m('POST', /^\/grants$/)) {
        this.requireStepUp(me, session)
        const g: Grant = { id: randomUUID(), owner_id: me.id, created_at: now(), ...(body as Omit<Grant, 'id' | 'owner_id' | 'created_at'>) }
        this.grants.push(g)
        return this.withPeople(g)
      }
      if ((p = m('DELETE', /^\/grants\/([^/]+)$/))) {
        const g = this.grants.find((x) => x.id === p?.[1] && x.owner_id === me.id)
        if (!g) throw new HttpError(404, 'not_found', 'Not found.')
        g.revoked_at = now()
        return undefined
      }
      if (m('GET', /^\/drafts$/)) return this.drafts.filter((d) => d.owner_id === me.id)
      if ((p = m('POST', /^\/drafts\/([^/]+)\/(confirm|discard)$/))) {
        const d = this.drafts.find((x) => x.id === p?.[1] && x.owner_id === me.id)
        if (!d) throw new HttpError(404, 'not_found', 'Not found.')
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
      if (m('GET', /^\/auditor\/grants$/)) return active().map((g) => this.withPeople(g))
      if ((p = m('GET', /^\/auditor\/grants\/([^/]+)\/(transactions|summary)$/))) {
        const g = active().find((x) => x.id === p?.[1])
        if (!g) throw new HttpError(403, 'forbidden', 'You do not have access to these records.')
        const scoped = this.txs.filter((t) => t.owner_id === g.owner_id && inScope(g, t))
        return p[2] === 'summary' ? summarize(scoped) : this.page(this.filter(scoped, url), url)
      }
    }

    if (me.role === 'admin') {
      if (m('GET', /^\/admin\/users$/)) {
        const status = url.searchParams.get('status')
        return this.users.filter((u) => !status || u.status === status).map(publicUser)
      }
      if ((p = m('POST', /^\/admin\/users\/([^/]+)\/approve$/))) {
        const u = this.user(p[1])
        u.status = 'active'
        u.role = body.role as Role
        if (u.role === 'user') this.seedDrafts(u.id)
        return publicUser(u)
      }
      if ((p = m('POST', /^\/admin\/users\/([^/]+)\/reject$/))) {
        this.user(p[1]).status = 'rejected'
        return undefined
      }
      if ((p = m('PUT', /^\/admin\/users\/([^/]+)\/role$/))) {
        const u = this.user(p[1])
        u.role = body.role as Role
        return publicUser(u)
      }
      if ((p = m('DELETE', /^\/admin\/users\/([^/]+)$/))) {
        this.users = this.users.filter((u) => u.id !== p?.[1])
        return undefined
      }
      if ((p = m('POST', /^\/admin\/users\/([^/]+)\/revoke-sessions$/))) {
        const id = p[1]
        for (const s of this.sessions.values()) if (s.user_id === id) s.revoked = true
        this.events.unshift({ id: this.events.length + 1, user_id: id, event: 'revoke', address: '127.0.0.1', user_agent: 'admin console', at: now() })
        return undefined
      }
      if (m('GET', /^\/admin\/session-events$/)) {
        const uid = url.searchParams.get('user_id')
        return this.page(this.events.filter((e) => !uid || e.user_id === uid), url)
      }
      if (m('GET', /^\/admin\/audit$/)) {
        const decision = url.searchParams.get('decision')
        return this.page(this.audit.filter((e) => !decision || e.decision === decision), url)
      }
      if (m('GET', /^\/admin\/alerts$/)) {
        return [
          { id: 'a1', time: now(), severity: 'high', rule: 'auth.bruteforce', subject: 'mallory@example.com', summary: '12 failed sign-ins in 2 minutes', response: 'account locked for 15 minutes' },
          { id: 'a2', time: now(), severity: 'medium', rule: 'falco.shell_in_container', subject: 'spiffe://financeapp.local/backend', summary: 'A shell was spawned in the backend container', response: 'workload quarantined' },
        ]
      }
    }

    throw new HttpError(403, 'forbidden', 'You do not have access to this.')
  }

  private checkCsrf(req: IncomingMessage, cookies: Record<string, string>) {
    const origin = req.headers.origin
    if (origin !== `http://${req.headers.host}`) throw new HttpError(403, 'csrf_origin', 'Cross-site request refused.')
    const token = cookies['__Host-csrf']
    if (!token || req.headers['x-csrf-token'] !== token) throw new HttpError(403, 'csrf_token', 'Missing or wrong CSRF token.')
  }

  private signUp(body: Json) {
    const email = String(body.email ?? '').toLowerCase()
    if (this.users.some((u) => u.email === email)) throw new HttpError(409, 'email_taken', 'That email is already registered.')
    this.users.push({ id: randomUUID(), email, display_name: String(body.display_name), password: String(body.password), status: 'pending', totp_enabled: false, created_at: now(), updated_at: now() })
    return { status: 'pending' }
  }

  private login(body: Json, req: IncomingMessage, res: ServerResponse) {
    const u = this.users.find((x) => x.email === String(body.email).toLowerCase() && x.password === body.password)
    const ua = String(req.headers['user-agent'] ?? '')
    if (!u) {
      this.events.unshift({ id: this.events.length + 1, user_id: '', event: 'login_failed', address: '127.0.0.1', user_agent: ua, at: now() })
      throw new HttpError(401, 'invalid_credentials', 'Wrong email or password.')
    }
    if (u.status === 'pending') throw new HttpError(403, 'account_pending', 'Your account is waiting for approval.')
    if (u.status !== 'active') throw new HttpError(403, 'account_rejected', 'This account cannot sign in.')
    if (u.totp_enabled) {
      if (!body.totp_code) throw new HttpError(401, 'totp_required', 'Enter the code from your authenticator app.')
      if (body.totp_code !== totp(u.totp_secret ?? '')) throw new HttpError(401, 'totp_invalid', 'That code is not right.')
    }
    const s: Session = { id: randomBytes(24).toString('base64url'), user_id: u.id, stepped_up_at: u.totp_enabled ? Date.now() : 0, revoked: false }
    this.sessions.set(s.id, s)
    this.events.unshift({ id: this.events.length + 1, user_id: u.id, session_id: s.id.slice(0, 8), event: 'login', address: '127.0.0.1', user_agent: ua, at: now() })
    res.appendHeader('Set-Cookie', `__Host-session=${s.id}; Path=/; Secure; HttpOnly; SameSite=Strict`)
    return { user: publicUser(u) }
  }

  private requireStepUp(me: User, s: Session) {
    if (!me.totp_enabled) throw new HttpError(403, 'totp_not_enrolled', 'Turn on two-factor authentication in your profile to share.')
    if (Date.now() - s.stepped_up_at > stepUpWindowMs || s.stepped_up_at === 0) {
      throw new HttpError(401, 'step_up_required', 'Confirm with a fresh code.')
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
    return { ...g, owner: pick(g.owner_id), auditor: pick(g.auditor_id) }
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
    const text = q.get('q')?.toLowerCase()
    let out = list.filter(
      (t) =>
        (!q.get('from') || t.date >= (q.get('from') ?? '')) &&
        (!q.get('to') || t.date <= (q.get('to') ?? '')) &&
        (!q.get('category') || t.category === q.get('category')) &&
        (!q.get('payment_type') || t.payment_type === q.get('payment_type')) &&
        (!text || `${t.description} ${t.location}`.toLowerCase().includes(text)),
    )
    const sort = (q.get('sort') ?? 'date') as keyof Tx
    const dir = q.get('order') === 'asc' ? 1 : -1
    out = [...out].sort((a, b) => (a[sort] < b[sort] ? -dir : a[sort] > b[sort] ? dir : 0))
    return out
  }

  private page<T>(list: T[], url: URL) {
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1))
    const size = Math.min(100, Math.max(1, Number(url.searchParams.get('page_size') ?? 20)))
    return { items: list.slice((page - 1) * size, page * size), total: list.length, page, page_size: size }
  }
}

function inScope(g: Grant, t: Tx): boolean {
  if (g.scope === 'date_range') return t.date >= (g.date_from ?? '') && t.date <= (g.date_to ?? '')
  if (g.scope === 'categories') return (g.categories ?? []).includes(t.category)
  return true
}

function summarize(list: Tx[]) {
  const cat = new Map<string, Json>()
  const month = new Map<string, Json>()
  for (const t of list) {
    const ck = `${t.category}/${t.currency}`
    const c = cat.get(ck) ?? { category: t.category, currency: t.currency, total_minor: 0, count: 0 }
    c.total_minor = Number(c.total_minor) + t.amount_minor
    c.count = Number(c.count) + 1
    cat.set(ck, c)
    const mk = `${t.date.slice(0, 7)}/${ck}`
    const m = month.get(mk) ?? { month: t.date.slice(0, 7), category: t.category, currency: t.currency, total_minor: 0 }
    m.total_minor = Number(m.total_minor) + t.amount_minor
    month.set(mk, m)
  }
  return { by_category: [...cat.values()], by_month: [...month.values()] }
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
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(JSON.stringify(body))
}
