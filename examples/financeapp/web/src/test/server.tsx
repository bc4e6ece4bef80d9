import type { ReactNode } from 'react'
import { render } from '@testing-library/react'
import { Provider } from 'react-redux'
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router'
import { vi } from 'vitest'
import { makeStore, type AppStore } from '../app/store'
import type { User } from '../api/types'

/** Handler answers one request of the fake service, or returns undefined to pass. */
export type Handler = (req: Request, url: URL) => Response | Promise<Response> | undefined

/** json builds a JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } })
}

/** problem builds an RFC 9457 problem response. */
export function problem(status: number, type: string, detail = '', extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ type, title: 'x', status, detail, ...extra }), {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
  })
}

/** Served is what a fake service recorded. */
export interface Served {
  requests: Request[]
  fetch: ReturnType<typeof vi.fn>
}

/** serve stubs fetch with handlers tried in order; unmatched requests get 404. */
export function serve(...handlers: Handler[]): Served {
  const requests: Request[] = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(input, init)
    requests.push(req.clone())
    const url = new URL(req.url)
    for (const h of handlers) {
      const res = await h(req, url)
      if (res) return res
    }
    return problem(404, 'not_found', `no route ${req.method} ${url.pathname}`)
  })
  vi.stubGlobal('fetch', fetch)
  return { requests, fetch }
}

/** route matches one method and path. */
export function route(method: string, path: string, answer: (req: Request, url: URL) => Response | Promise<Response>): Handler {
  return (req, url) => (req.method === method && url.pathname === path ? answer(req, url) : undefined)
}

/** userOf builds a user of the given role. */
export function userOf(role: User['role'], extra: Partial<User> = {}): User {
  return {
    id: `${role}-1`,
    email: `${role}@example.com`,
    display_name: `Test ${role}`,
    status: 'active',
    role,
    totp_enabled: false,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...extra,
  }
}

/** renderRoutes renders routes at a path with a fresh store. */
export function renderRoutes(routes: RouteObject[], path: string, store: AppStore = makeStore()): { store: AppStore; router: ReturnType<typeof createMemoryRouter> } {
  const router = createMemoryRouter(routes, { initialEntries: [path] })
  render(
    <Provider store={store}>
      <RouterProvider router={router} />
    </Provider>,
  )
  return { store, router }
}

/** withStore renders a node inside a store. */
export function withStore(node: ReactNode, store: AppStore = makeStore()) {
  render(<Provider store={store}>{node}</Provider>)
  return store
}
