import { lazy, type ComponentType, type LazyExoticComponent } from 'react'
import { createBrowserRouter, Link, type RouteObject } from 'react-router'
import { Home, RequireRole } from './components/guards'
import { Layout } from './components/Layout'
import { Profile } from './pages/Profile'
import { SignIn } from './pages/SignIn'
import { SignUp } from './pages/SignUp'

// Pages load on first use: the charts and the QR code weigh most of the UI.
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K): LazyExoticComponent<ComponentType> {
  return lazy(() => load().then((m) => ({ default: m[name] })))
}

const Dashboard = page(() => import('./pages/Dashboard'), 'Dashboard')
const Sharing = page(() => import('./pages/Sharing'), 'Sharing')
const Inbox = page(() => import('./pages/Inbox'), 'Inbox')
const SharedWithMe = page(() => import('./pages/Auditor'), 'SharedWithMe')
const SharedRecords = page(() => import('./pages/Auditor'), 'SharedRecords')
const Approvals = page(() => import('./pages/admin/Approvals'), 'Approvals')
const Users = page(() => import('./pages/admin/Users'), 'Users')
const SessionLog = page(() => import('./pages/admin/Logs'), 'SessionLog')
const AuditTrail = page(() => import('./pages/admin/Logs'), 'AuditTrail')
const Alerts = page(() => import('./pages/admin/Logs'), 'Alerts')
const TotpSetup = page(() => import('./pages/TotpSetup'), 'TotpSetup')

function NotFound() {
  return (
    <div className="flex min-h-[50vh] flex-col items-center justify-center text-center">
      <p className="text-sm font-semibold text-brand-600">404</p>
      <h1 className="mt-2 text-2xl font-semibold text-slate-900">Page not found</h1>
      <Link to="/" className="mt-4 text-sm font-medium text-brand-700 hover:underline">
        Go home
      </Link>
    </div>
  )
}

/** routes is the route table of the UI; role guards mirror the service's policy. */
export const routes: RouteObject[] = [
  { path: '/signin', element: <SignIn /> },
  { path: '/signup', element: <SignUp /> },
  { path: '/', element: <Home /> },
  {
    element: (
      <RequireRole>
        <Layout />
      </RequireRole>
    ),
    children: [
      { path: '/profile', element: <Profile /> },
      { path: '/profile/totp', element: <TotpSetup /> },
      { path: '/dashboard', element: <RequireRole roles={['user']}><Dashboard /></RequireRole> },
      { path: '/sharing', element: <RequireRole roles={['user']}><Sharing /></RequireRole> },
      { path: '/inbox', element: <RequireRole roles={['user']}><Inbox /></RequireRole> },
      { path: '/auditor', element: <RequireRole roles={['auditor']}><SharedWithMe /></RequireRole> },
      { path: '/auditor/:ownerId', element: <RequireRole roles={['auditor']}><SharedRecords /></RequireRole> },
      { path: '/admin', element: <RequireRole roles={['admin']}><Home /></RequireRole> },
      { path: '/admin/approvals', element: <RequireRole roles={['admin']}><Approvals /></RequireRole> },
      { path: '/admin/users', element: <RequireRole roles={['admin']}><Users /></RequireRole> },
      { path: '/admin/sessions', element: <RequireRole roles={['admin']}><SessionLog /></RequireRole> },
      { path: '/admin/audit', element: <RequireRole roles={['admin']}><AuditTrail /></RequireRole> },
      { path: '/admin/alerts', element: <RequireRole roles={['admin']}><Alerts /></RequireRole> },
      { path: '*', element: <NotFound /> },
    ],
  },
]

/** makeRouter builds the browser router of the app. */
export function makeRouter() {
  return createBrowserRouter(routes)
}
