import { Suspense, useState } from 'react'
import { NavLink, Outlet } from 'react-router'
import { useSession } from '../app/hooks'
import { useSignOutMutation } from '../api/auth'
import type { Role } from '../api/types'
import { StepUpDialog } from './StepUpDialog'
import { Loading } from './ui'
import { label } from '../lib/format'

interface NavItem {
  to: string
  label: string
  icon: string
}

// Icon paths (24×24, stroke) so that no icon font or inline style is needed.
const icons = {
  home: 'M3 12l9-8 9 8M5 10v10h14V10',
  share: 'M8 12h8M12 8l4 4-4 4M4 4h6M4 20h6M4 4v16',
  inbox: 'M3 13l3-8h12l3 8v6H3v-6zm0 0h5l1 3h6l1-3h5',
  eye: 'M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12zm10 3a3 3 0 100-6 3 3 0 000 6z',
  users: 'M16 19v-1a4 4 0 00-4-4H6a4 4 0 00-4 4v1M9 10a3 3 0 100-6 3 3 0 000 6zm13 9v-1a4 4 0 00-3-3.9M16 4.1a3 3 0 010 5.8',
  check: 'M4 12l5 5L20 6',
  clock: 'M12 7v5l3 2m6-2a9 9 0 11-18 0 9 9 0 0118 0z',
  list: 'M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01',
  bell: 'M15 17h5l-1.4-1.4A2 2 0 0118 14.2V11a6 6 0 10-12 0v3.2a2 2 0 01-.6 1.4L4 17h5m6 0a3 3 0 01-6 0',
  user: 'M20 21a8 8 0 10-16 0M12 11a4 4 0 100-8 4 4 0 000 8z',
}

const navByRole: Record<Role, NavItem[]> = {
  user: [
    { to: '/dashboard', label: 'Dashboard', icon: icons.home },
    { to: '/sharing', label: 'Sharing', icon: icons.share },
    { to: '/inbox', label: 'SMS inbox', icon: icons.inbox },
  ],
  auditor: [{ to: '/auditor', label: 'Shared with me', icon: icons.eye }],
  admin: [
    { to: '/admin/approvals', label: 'Approvals', icon: icons.check },
    { to: '/admin/users', label: 'Users & roles', icon: icons.users },
    { to: '/admin/sessions', label: 'Session log', icon: icons.clock },
    { to: '/admin/audit', label: 'Audit trail', icon: icons.list },
    { to: '/admin/alerts', label: 'Security alerts', icon: icons.bell },
  ],
}

function Icon({ d }: { d: string }) {
  return (
    <svg className="h-5 w-5 shrink-0" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.75" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={d} />
    </svg>
  )
}

function Brand() {
  return (
    <div className="flex items-center gap-2.5">
      <img src="/favicon.svg" alt="" className="h-8 w-8" />
      <span className="text-base font-semibold tracking-tight text-white">ztkit Finance</span>
    </div>
  )
}

function NavLinks({ items, onNavigate }: { items: NavItem[]; onNavigate?: () => void }) {
  return (
    <ul className="space-y-1">
      {items.map((item) => (
        <li key={item.to}>
          <NavLink
            to={item.to}
            onClick={onNavigate}
            className={({ isActive }) =>
              `flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium transition-colors ${
                isActive ? 'bg-white/10 text-white' : 'text-slate-300 hover:bg-white/5 hover:text-white'
              }`
            }
          >
            <Icon d={item.icon} />
            {item.label}
          </NavLink>
        </li>
      ))}
    </ul>
  )
}

/** Layout is the frame of every signed-in page: navigation by role, account menu. */
export function Layout() {
  const { user } = useSession()
  const [open, setOpen] = useState(false)
  const [signOut, { isLoading }] = useSignOutMutation()
  const items = [...(user?.role ? navByRole[user.role] : []), { to: '/profile', label: 'Profile & security', icon: icons.user }]

  // The phone's menu opens under the top bar, which already shows the brand.
  const sidebar = (brand: boolean) => (
    <div className="flex h-full min-h-0 flex-col gap-6 bg-slate-900 px-4 py-5">
      {brand && <Brand />}
      <nav aria-label="Main" className="flex-1">
        <NavLinks items={items} onNavigate={() => setOpen(false)} />
      </nav>
      <div className="border-t border-white/10 pt-4">
        <p className="truncate text-sm font-medium text-white" title={user?.display_name}>
          {user?.display_name}
        </p>
        <p className="truncate text-xs text-slate-400" title={user?.email}>
          {user?.email}
        </p>
        {user?.role && <p className="mt-0.5 text-xs text-slate-400">{label(user.role)}</p>}
        <button
          type="button"
          onClick={() => signOut()}
          disabled={isLoading}
          className="mt-3 w-full rounded-lg bg-white/5 px-3 py-2 text-left text-sm text-slate-200 hover:bg-white/10"
        >
          Sign out
        </button>
      </div>
    </div>
  )

  return (
    <div className="min-h-screen lg:flex">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      {/* The dark column stretches with the page (a flex item as tall as the
          content, never shorter than the viewport); the navigation inside it
          is sticky and exactly one viewport tall, so it stays put while the
          content scrolls and its footer sits at the bottom of the screen. */}
      <aside data-testid="sidebar" className="hidden w-64 shrink-0 bg-slate-900 lg:block">
        <div className="sticky top-0 h-screen overflow-y-auto">{sidebar(true)}</div>
      </aside>
      <div className="sticky top-0 z-30 flex items-center justify-between bg-slate-900 px-4 py-3 lg:hidden">
        <Brand />
        <button
          type="button"
          onClick={() => setOpen(!open)}
          aria-expanded={open}
          aria-controls="mobile-nav"
          className="rounded-md p-2 text-slate-200 hover:bg-white/10"
        >
          <span className="sr-only">Menu</span>
          <Icon d="M4 6h16M4 12h16M4 18h16" />
        </button>
      </div>
      {open && (
        <div id="mobile-nav" className="fixed inset-x-0 top-14 bottom-0 z-20 overflow-y-auto bg-slate-900 lg:hidden">
          {sidebar(false)}
        </div>
      )}
      <main id="main" className="min-w-0 flex-1 px-4 py-6 sm:px-6 lg:px-10 lg:py-8">
        <div className="mx-auto max-w-7xl">
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </div>
      </main>
      <StepUpDialog />
    </div>
  )
}
