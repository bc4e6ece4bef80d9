// The walk of the finance platform in a real browser: sign up, admin approves,
// sign in, add transactions, the charts show them, share with an auditor, the
// auditor sees exactly the shared scope, revoke, the auditor is denied; and an
// admin revoking a user's sessions signs the user out on their next action.
// Every page is checked with axe-core and watched for CSP violations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { check, openPage, probe, startEnv, type Env, type Watched } from './harness'
import { totp } from './totp'

const run = Date.now().toString(36)
const alice = { name: 'Alice Sharma', email: `alice-${run}@example.com`, password: 'a long password for alice' }
const bob = { name: 'Bob Auditor', email: `bob-${run}@example.com`, password: 'a long password for bob!' }
const thisMonth = new Date().toISOString().slice(0, 7)
const lastMonth = new Date(new Date().setDate(0)).toISOString().slice(0, 10)

let env: Env
let admin: Watched
let user: Watched
let auditor: Watched
let secret = ''
const problems: string[] = []
let lastStep = 0

/**
 * tolerated lists what the walk skipped because the platform under test does
 * not serve it yet: a route it answers 404 for, or a parameter it ignores.
 * Each step checks instead that the page says "not available". The scripted
 * backend serves everything, so there the list stays empty; E2E_STRICT=1
 * makes any entry a failure.
 */
const tolerated: string[] = []

function tolerate(what: string) {
  tolerated.push(what)
  console.warn(`e2e: TOLERATED, not served by this platform yet: ${what}`)
}

/** amounts reads the amount column of the transactions table, in rupees. */
async function amounts(page: Page): Promise<number[]> {
  const cells = await page.locator('main table tbody tr td:nth-child(5)').allTextContents()
  return cells.map((c) => Number(c.replace(/[^\d.]/g, '')))
}

/**
 * code returns a TOTP code of a time step not used before: a service may
 * refuse a code that was already accepted (replay protection).
 */
async function code(): Promise<string> {
  let step = Math.floor(Date.now() / 30_000)
  if (step <= lastStep) {
    await new Promise((r) => setTimeout(r, (lastStep + 1) * 30_000 - Date.now() + 200))
    step = Math.floor(Date.now() / 30_000)
  }
  lastStep = step
  return totp(secret)
}

async function signIn(page: Page, who: { email: string; password: string }, otp?: () => Promise<string>) {
  await page.goto('/signin')
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  if (otp) {
    await page.getByLabel('Authentication code').fill(await otp())
    await page.getByRole('button', { name: 'Sign in' }).click()
  }
  await page.waitForURL((url) => !url.pathname.startsWith('/signin'))
  await page.locator('main h1').waitFor()
}

/** confirmIfAsked answers the step-up dialog when the service asks for one. */
async function confirmIfAsked(page: Page, answer: () => string | Promise<string>) {
  const dialog = page.getByRole('dialog', { name: 'Confirm it is you' })
  try {
    await dialog.waitFor({ timeout: 2_000 })
  } catch {
    return
  }
  await dialog.getByLabel(/Authentication code|Password/).fill(await answer())
  await dialog.getByRole('button', { name: 'Confirm' }).click()
  await dialog.waitFor({ state: 'detached' })
}

async function signUp(page: Page, who: typeof alice) {
  await page.goto('/signup')
  await page.getByLabel('Full name').fill(who.name)
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password', { exact: true }).fill(who.password)
  await page.getByLabel('Confirm password').fill(who.password)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByText('Waiting for approval').waitFor()
}

async function addTransaction(page: Page, t: { description: string; amount: string; category: string; date: string }) {
  await page.getByRole('button', { name: 'Add transaction' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Description').fill(t.description)
  await dialog.getByLabel('Amount').fill(t.amount)
  await dialog.getByLabel('Category', { exact: true }).selectOption(t.category)
  await dialog.getByLabel('Date').fill(t.date)
  await dialog.getByRole('button', { name: 'Add transaction' }).click()
  await dialog.waitFor({ state: 'detached' })
  await page.getByRole('cell', { name: t.description, exact: true }).waitFor()
}

describe('the finance platform in Chromium', () => {
  beforeAll(async () => {
    env = await startEnv()
    admin = await openPage(env)
    user = await openPage(env)
    auditor = await openPage(env)
  })

  afterAll(async () => {
    await env?.close()
  })

  it('signs up two people whose accounts wait for approval', async () => {
    await user.page.goto('/signin')
    problems.push(...(await check(user, '01-sign-in')))
    await signUp(user.page, alice)
    problems.push(...(await check(user, '02-sign-up-pending')))
    await signUp(auditor.page, bob)

    await user.page.goto('/signin')
    await user.page.getByLabel('Email').fill(alice.email)
    await user.page.getByLabel('Password').fill(alice.password)
    await user.page.getByRole('button', { name: 'Sign in' }).click()
    await expect(user.page.getByText('Waiting for approval').waitFor()).resolves.toBeUndefined()
  })

  it('lets the admin approve them with one role each', async () => {
    await signIn(admin.page, env.admin)
    await admin.page.goto('/admin/approvals')
    await admin.page.getByText(alice.email, { exact: true }).waitFor()
    problems.push(...(await check(admin, '03-admin-approvals')))
    await admin.page.getByRole('button', { name: `Approve ${alice.email}` }).click()
    await confirmIfAsked(admin.page, () => env.admin.password)
    await admin.page.getByLabel(`Role for ${bob.email}`).selectOption('auditor')
    await admin.page.getByRole('button', { name: `Approve ${bob.email}` }).click()
    await confirmIfAsked(admin.page, () => env.admin.password)
    await admin.page.getByText('No one is waiting').waitFor()
  })

  it('signs the user in and enrolls an authenticator', async () => {
    await signIn(user.page, alice)
    await user.page.goto('/profile')
    problems.push(...(await check(user, '04-profile')))
    await user.page.getByRole('link', { name: 'Set up authenticator app' }).click()
    const key = user.page.getByLabel('Secret key')
    await key.waitFor()
    secret = (await key.textContent())?.replace(/\s/g, '') ?? ''
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/)
    problems.push(...(await check(user, '05-totp-setup')))
    await user.page.getByLabel('2. Enter the 6-digit code').fill(await code())
    await user.page.getByRole('button', { name: 'Turn on' }).click()
    await user.page.getByText('Your sign-ins and sensitive actions').waitFor()
  })

  it('adds transactions and the charts show them', async () => {
    const page = user.page
    await page.goto('/dashboard')
    await page.getByText('Nothing to chart yet').waitFor()
    problems.push(...(await check(user, '06-dashboard-empty')))
    await addTransaction(page, { description: 'Groceries at Nature Basket', amount: '2,450.50', category: 'expense', date: `${thisMonth}-02` })
    await addTransaction(page, { description: 'Electricity bill', amount: '1800', category: 'expense', date: lastMonth })
    await addTransaction(page, { description: 'Recurring deposit', amount: '10000', category: 'saving', date: `${thisMonth}-01` })
    await addTransaction(page, { description: 'Index fund SIP', amount: '5000', category: 'investment', date: lastMonth })

    await expect(page.getByTestId('total-expense').textContent()).resolves.toMatch(/4,250\.50/)
    await expect(page.getByTestId('total-saving').textContent()).resolves.toMatch(/10,000\.00/)
    // Three slices in the donut, bars for two months.
    await expect(page.locator('[data-testid=chart-category] .recharts-pie-sector').count()).resolves.toBe(3)
    await expect(page.locator('[data-testid=chart-monthly] .recharts-bar-rectangle').count()).resolves.toBeGreaterThanOrEqual(4)
    problems.push(...(await check(user, '07-dashboard')))

    // The service sorts (the first page comes back in the new order); a
    // platform that ignores the parameters accepts a column it has not got.
    const sortServed = (await probe(page, 'GET', '/api/v1/transactions?sort=no_such_column')) === 400
    await page.getByRole('button', { name: /^Amount/ }).click()
    await expect(page.getByRole('columnheader', { name: /Amount/ }).getAttribute('aria-sort')).resolves.toBe('descending')
    if (sortServed) {
      await expect.poll(() => amounts(page)).toEqual([10000, 5000, 2450.5, 1800])
      await page.getByRole('button', { name: /^Amount/ }).click()
      await expect.poll(() => amounts(page)).toEqual([1800, 2450.5, 5000, 10000])
      problems.push(...(await check(user, '07b-dashboard-by-amount')))
    } else {
      tolerate('GET /v1/transactions?sort=amount&order=desc')
    }
    await page.getByLabel('Category', { exact: true }).selectOption('saving')
    await page.getByRole('cell', { name: 'Electricity bill', exact: true }).waitFor({ state: 'detached' })
    await page.getByRole('cell', { name: 'Recurring deposit', exact: true }).waitFor()
    await page.getByLabel('Category', { exact: true }).selectOption('')
    await page.getByRole('cell', { name: 'Electricity bill', exact: true }).waitFor()
  })

  it('edits and deletes a transaction', async () => {
    const page = user.page
    await addTransaction(page, { description: 'Typo entry', amount: '1', category: 'expense', date: `${thisMonth}-03` })
    await page.getByRole('button', { name: 'Edit Typo entry' }).click()
    await page.getByRole('dialog').getByLabel('Description').fill('Coffee')
    await page.getByRole('dialog').getByRole('button', { name: 'Save changes' }).click()
    await page.getByRole('cell', { name: 'Coffee', exact: true }).waitFor()
    await page.getByRole('button', { name: 'Delete Coffee' }).click()
    problems.push(...(await check(user, '08-delete-confirm')))
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('cell', { name: 'Coffee', exact: true }).waitFor({ state: 'detached' })
  })

  it('shows the SMS inbox', async () => {
    await user.page.goto('/inbox')
    await user.page.locator('main h1').waitFor()
    problems.push(...(await check(user, '09-sms-inbox')))
  })

  it('shares expenses only with the auditor, after a step-up', async () => {
    const page = user.page
    env.mock?.expireStepUp()
    await page.goto('/sharing')
    await page.getByText('You are not sharing with anyone').waitFor()
    await page.getByRole('button', { name: 'Share with an auditor' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('Auditor').selectOption({ label: `${bob.name} (${bob.email})` })
    await dialog.getByText('Some categories').click()
    await dialog.getByLabel('Expense').check()
    problems.push(...(await check(user, '10-share-dialog')))
    await dialog.getByRole('button', { name: 'Share' }).click()

    // The scripted backend always asks; a real platform asks when the last
    // proof of the second factor is too old.
    const stepUp = page.getByRole('dialog', { name: 'Confirm it is you' })
    if (env.mock) {
      await stepUp.waitFor()
      problems.push(...(await check(user, '11-step-up')))
    }
    await confirmIfAsked(page, code)
    await page.getByRole('list', { name: 'Active grants' }).getByText(bob.name).waitFor()
    problems.push(...(await check(user, '12-sharing')))
  })

  it('shows the auditor exactly the shared scope, read-only', async () => {
    const page = auditor.page
    await signIn(page, bob)
    await page.getByText(alice.name).waitFor()
    problems.push(...(await check(auditor, '13-auditor-shares')))
    await page.getByRole('link', { name: `Open the records of ${alice.name}` }).click()
    await page.getByRole('cell', { name: 'Groceries at Nature Basket', exact: true }).waitFor()
    await expect(page.getByRole('cell', { name: 'Electricity bill', exact: true }).count()).resolves.toBe(1)
    await expect(page.getByRole('cell', { name: 'Recurring deposit', exact: true }).count()).resolves.toBe(0)
    await expect(page.getByRole('cell', { name: 'Index fund SIP', exact: true }).count()).resolves.toBe(0)
    await expect(page.getByRole('button', { name: /^Edit|^Delete/ }).count()).resolves.toBe(0)
    problems.push(...(await check(auditor, '14-auditor-records')))

    await page.goto('/dashboard')
    await page.waitForURL('**/auditor')
  })

  it('denies the auditor once the user revokes the grant', async () => {
    await user.page.getByRole('button', { name: `Revoke access of ${bob.name}` }).click()
    await user.page.getByRole('dialog').getByRole('button', { name: 'Revoke access' }).click()
    await user.page.getByText('You are not sharing with anyone').waitFor()

    const url = auditor.page.url()
    await auditor.page.goto(url.includes('/auditor/') ? url : '/auditor')
    await auditor.page.getByText(/no longer have access|Nobody shares with you yet/).waitFor()
    problems.push(...(await check(auditor, '15-auditor-denied')))
  })

  it('shows the admin console pages', async () => {
    for (const [path, name] of [
      ['/admin/users', '16-admin-users'],
      ['/admin/sessions', '17-admin-session-log'],
      ['/admin/audit', '18-admin-audit'],
      ['/admin/alerts', '19-admin-alerts'],
    ] as const) {
      await admin.page.goto(path)
      await admin.page.locator('main h1').waitFor()
      problems.push(...(await check(admin, name)))
    }
  })

  it('signs the user out on their next action after the admin revokes their sessions', async () => {
    await admin.page.goto('/admin/users')
    await admin.page.getByRole('button', { name: `Revoke sessions of ${alice.email}` }).click()
    await admin.page.getByRole('dialog').getByRole('button', { name: 'Revoke sessions' }).click()
    await admin.page.getByText(`Every session of ${alice.email} was revoked.`).waitFor()

    await user.page.getByRole('link', { name: 'Dashboard' }).click()
    await user.page.waitForURL('**/signin**').catch(async (e) => {
      await user.page.screenshot({ path: 'e2e/screenshots/debug-revoke.png' })
      throw e
    })
    await user.page.getByText('You have been signed out').waitFor()
    problems.push(...(await check(user, '20-signed-out')))
  })

  it('is usable on a phone', async () => {
    const phone = await openPage(env, { width: 390, height: 844 })
    await signIn(phone.page, alice, code)
    await phone.page.goto('/dashboard')
    await phone.page.getByText('Groceries at Nature Basket').waitFor()
    problems.push(...(await check(phone, '21-dashboard-phone')))
    for (const path of ['/sharing', '/inbox', '/profile']) {
      await phone.page.goto(path)
      await phone.page.locator('main h1').waitFor()
      problems.push(...(await check(phone, `phone${path.replace(/\//g, '-')}`)))
    }
    await phone.page.getByRole('button', { name: 'Menu' }).click()
    await phone.page.locator('#mobile-nav').getByRole('link', { name: 'Dashboard' }).waitFor()
    problems.push(...(await check(phone, 'phone-menu')))
    await phone.context.close()

    const adminPhone = await openPage(env, { width: 390, height: 844 })
    await signIn(adminPhone.page, env.admin)
    for (const path of ['/admin/approvals', '/admin/users', '/admin/sessions', '/admin/audit', '/admin/alerts']) {
      await adminPhone.page.goto(path)
      await adminPhone.page.locator('main h1').waitFor()
      problems.push(...(await check(adminPhone, `phone${path.replace(/\//g, '-')}`)))
    }
    await adminPhone.context.close()
  })

  it('filters the audit trail by decision', async () => {
    const page = admin.page
    await page.goto('/admin/audit')
    await page.locator('main h1').waitFor()
    if ((await probe(page, 'GET', '/api/v1/admin/audit?limit=1')) === 404) {
      await page.getByText('The audit trail is not available').waitFor()
      tolerate('GET /v1/admin/audit')
      return
    }
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/admin/audit' && new URL(r.url()).searchParams.get('decision') === 'deny'),
      page.getByLabel('Decision').selectOption('deny'),
    ])
    const decisions = () => page.locator('main table tbody tr td:nth-child(5)').allTextContents()
    await expect.poll(async () => (await decisions()).filter((d) => d.trim() !== 'Deny')).toEqual([])
    await page.getByRole('region', { name: 'Audit events table' }).or(page.getByText('No events match these filters')).waitFor()
    problems.push(...(await check(admin, '22-admin-audit-denied')))
  })

  it('changes the password through the step-up prompt', async () => {
    const page = user.page
    await signIn(page, alice, code)
    await page.goto('/profile')
    const form = page.getByRole('form', { name: 'Change password' })
    const newPassword = 'an even longer password for alice'
    await form.getByLabel('Current password').fill(alice.password)
    await form.getByLabel('New password', { exact: true }).fill(newPassword)
    await form.getByLabel('Confirm new password').fill(newPassword)
    // A platform without the route answers 404, or 403 where its policy
    // denies every action it does not know; one that has it answers an empty
    // body with 400 (or 401 when it first wants a step-up).
    const missing = [403, 404].includes(await probe(page, 'PUT', '/api/v1/me/password', {}))
    env.mock?.expireStepUp()
    await form.getByRole('button', { name: 'Change password' }).click()
    await confirmIfAsked(page, code)
    const changed = form.getByText('Your password was changed.')
    await changed.or(form.getByRole('alert')).waitFor()
    if (missing) {
      await form.getByRole('alert').waitFor()
      tolerate('PUT /v1/me/password')
      return
    }
    if (!(await changed.isVisible())) throw new Error(`password change: ${await form.getByRole('alert').textContent()}`)
    problems.push(...(await check(user, '23-password-changed')))

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL('**/signin**')
    await page.getByLabel('Email').fill(alice.email)
    await page.getByLabel('Password').fill(alice.password)
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/session'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ])
    expect(refused.status()).toBe(401)
    alice.password = newPassword
    await signIn(page, alice, code)
  })

  // Last: a burst makes its address hostile to the platform's detectors, so a
  // later sign-in from it (every sign-in of this walk comes from loopback)
  // would be taken for a compromised one.
  it('lists the alert the detectors raise after a burst of failed sign-ins', async () => {
    const alertsServed = (await probe(admin.page, 'GET', '/api/v1/admin/alerts?limit=1')) !== 404
    const intruder = await openPage(env)
    await intruder.page.goto('/signin')
    for (let i = 0; i < 5; i++) {
      await intruder.page.getByLabel('Email').fill(bob.email)
      await intruder.page.getByLabel('Password').fill(`not bob's password ${i}`)
      await Promise.all([
        intruder.page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/session'),
        intruder.page.getByRole('button', { name: 'Sign in' }).click(),
      ])
    }
    await intruder.page.getByRole('alert').waitFor()
    await intruder.context.close()

    const page = admin.page
    await page.goto('/admin/alerts')
    await page.locator('main h1').waitFor()
    if (!alertsServed) {
      await page.getByText('Alerts are not available').waitFor()
      tolerate('GET /v1/admin/alerts')
      return
    }
    await page.getByLabel('Minimum severity').selectOption('high')
    const burst = page.getByRole('list', { name: 'Alerts' }).getByRole('listitem').filter({ hasText: 'brute_force.account' }).filter({ hasText: bob.email })
    // The detectors run beside the request path: the alert may take a moment.
    await expect
      .poll(
        async () => {
          if ((await burst.count()) === 0) await page.getByRole('button', { name: 'Refresh' }).click()
          return burst.count()
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBeGreaterThan(0)
    await expect(burst.first().textContent()).resolves.toMatch(/High/)
    problems.push(...(await check(admin, '24-admin-alerts-burst')))

    // The admin has looked into it: lifting the response withdraws bob's
    // raised risk (a step-up first, when the admin's sign-in is old).
    const lift = burst.first().getByRole('button', { name: /^Lift the response to/ })
    if ((await lift.count()) === 0) {
      tolerate('POST /v1/admin/alerts/{id}/lift')
      return
    }
    await lift.click()
    await confirmIfAsked(page, () => env.admin.password)
    await burst.first().getByText(/Raise risk \(lifted\)/).waitFor()
    problems.push(...(await check(admin, '25-admin-alert-lifted')))
  })

  it('has no serious accessibility violation, CSP violation or page error', () => {
    expect(problems).toEqual([])
    if (process.env.E2E_STRICT === '1') expect(tolerated).toEqual([])
  })
})
