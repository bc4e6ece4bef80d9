// The end-to-end harness: Debian's Chromium driven by playwright-core (never a
// downloaded browser), the built UI served either by vite preview in front of
// the scripted backend (mockBff.ts) or by a running platform (E2E_BASE_URL),
// an axe-core check and a Content-Security-Policy watch on every page.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { preview, type PreviewServer } from 'vite'
import { MockBff } from './mockBff'

const require = createRequire(import.meta.url)
const axeSource: string = require('axe-core').source

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const screenshotDir = join(import.meta.dirname, 'screenshots')

/** Env is what a walk runs against. */
export interface Env {
  baseUrl: string
  admin: { email: string; password: string }
  /** mock is the scripted backend, absent against a real platform. */
  mock?: MockBff
  browser: Browser
  close: () => Promise<void>
}

/** startEnv serves the UI (or uses E2E_BASE_URL) and launches Chromium. */
export async function startEnv(): Promise<Env> {
  let baseUrl = process.env.E2E_BASE_URL ?? ''
  let mock: MockBff | undefined
  let server: PreviewServer | undefined
  let admin = { email: process.env.E2E_ADMIN_EMAIL ?? '', password: process.env.E2E_ADMIN_PASSWORD ?? '' }

  if (!baseUrl) {
    mock = new MockBff()
    process.env.FINANCEAPP_URL = await mock.start()
    server = await preview({ root: join(import.meta.dirname, '..'), preview: { port: 0, host: 'localhost', strictPort: false } })
    const addr = server.resolvedUrls?.local[0]
    if (!addr) throw new Error('e2e: vite preview has no local URL')
    baseUrl = addr.replace(/\/$/, '')
    admin = mock.admin
  }

  // Playwright starts Chromium with a fresh, empty user-data-dir of its own
  // (it refuses --user-data-dir in launch); it is removed on close.
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  mkdirSync(screenshotDir, { recursive: true })

  return {
    baseUrl,
    admin,
    mock,
    browser,
    async close() {
      await browser.close()
      await server?.close()
      await mock?.stop()
    },
  }
}

/** Watched is a page whose CSP violations and page errors are recorded. */
export interface Watched {
  context: BrowserContext
  page: Page
  problems: string[]
}

/** openPage opens a fresh browser context (its own cookie jar) with a watched page. */
export async function openPage(env: Env, viewport = { width: 1366, height: 900 }): Promise<Watched> {
  const context = await env.browser.newContext({
    baseURL: env.baseUrl,
    viewport,
    locale: 'en-IN',
    timezoneId: 'Asia/Kolkata',
    // financeapp dev serves TLS from its own dev CA, which Chromium does not
    // know; E2E_DEV_CA=1 accepts it, for a loopback platform only.
    ignoreHTTPSErrors: process.env.E2E_DEV_CA === '1' && /^https:\/\/(127\.0\.0\.1|localhost)[:/]/.test(env.baseUrl),
  })
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      ;(window as unknown as { __csp: string[] }).__csp ??= []
      ;(window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`)
    })
  })
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`csp: ${m.text()}`)
  })
  return { context, page, problems }
}

/** AxeViolation is the part of an axe-core result the tests report. */
interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: string[] }[]
}

/**
 * check runs axe-core on the page, collects CSP violations and saves a
 * screenshot; it returns the list of problems (serious or critical axe
 * violations, CSP violations, page errors).
 */
export async function check(w: Watched, name: string): Promise<string[]> {
  const { page } = w
  await page.waitForLoadState('networkidle')
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe
    const r = await axe.run(document, { resultTypes: ['violations'] })
    return r.violations
  })
  const csp = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true })

  const out = [...w.problems.splice(0), ...csp.map((c) => `csp: ${c}`)]
  for (const v of violations) {
    if (v.impact === 'serious' || v.impact === 'critical') {
      out.push(`axe ${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
    }
  }
  return out.map((p) => `${name}: ${p}`)
}
