import type { ReactNode } from 'react'

/** AuthShell frames the pages a person sees before signing in. */
export function AuthShell({ title, subtitle, children, footer }: { title: string; subtitle?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="flex min-h-screen">
      <div className="hidden w-5/12 flex-col justify-between bg-gradient-to-br from-slate-900 via-brand-900 to-brand-700 p-12 text-white lg:flex">
        <div className="flex items-center gap-2.5">
          <img src="/favicon.svg" alt="" className="h-9 w-9" />
          <span className="text-lg font-semibold">ztkit Finance</span>
        </div>
        <div>
          <p className="text-3xl leading-tight font-semibold">Your money, your rules.</p>
          <p className="mt-4 max-w-md text-brand-100">
            Track expenses, savings and investments, and share exactly what you choose with your auditor,
            for as long as you choose. Every access is checked and recorded.
          </p>
        </div>
        <p className="text-sm text-brand-100">Zero trust by design: every request is verified.</p>
      </div>
      <main className="flex flex-1 items-center justify-center bg-slate-50 px-4 py-12">
        <div className="w-full max-w-md">
          <div className="mb-8 flex items-center gap-2.5 lg:hidden">
            <img src="/favicon.svg" alt="" className="h-9 w-9" />
            <span className="text-lg font-semibold text-slate-900">ztkit Finance</span>
          </div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
          {subtitle && <p className="mt-2 text-sm text-slate-600">{subtitle}</p>}
          <div className="mt-8 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">{children}</div>
          {footer && <div className="mt-6 text-center text-sm text-slate-600">{footer}</div>}
        </div>
      </main>
    </div>
  )
}
