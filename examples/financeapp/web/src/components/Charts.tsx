import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Pie,
  PieChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import type { Category, Summary } from '../api/types'
import { byCategory, byMonth, growth, niceTicks, stackedMax } from '../lib/charts'
import { formatMoney, formatMonth, fractionDigits, label } from '../lib/format'
import { Card, Empty } from './ui'

/** categoryColor is the colour of each category in every chart and badge. */
export const categoryColor: Record<Category, string> = {
  expense: '#e11d48',
  saving: '#059669',
  investment: '#4f46e5',
}

function compact(minor: number, currency: string) {
  const major = minor / 10 ** fractionDigits(currency)
  return new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1, style: 'currency', currency }).format(major)
}

// Recharts sets this through the DOM's style object, which a strict CSP allows.
const legendStyle = { fontSize: 12 }

/** Charts draws spending by category, the monthly trend and the growth of savings and investments. */
export function Charts({ summary, currency }: { summary: Summary | undefined; currency: string }) {
  const slices = byCategory(summary, currency)
  const months = byMonth(summary, currency)
  const grown = growth(months)
  const money = (v: unknown) => formatMoney(Number(v), currency)
  const present = (['expense', 'saving', 'investment'] as const).filter((c) => slices.some((s) => s.category === c))
  const grows = present.filter((c) => c !== 'expense')
  const tick = (v: number) => compact(v, currency)
  const monthTicks = niceTicks(stackedMax(months, present))
  const growthTicks = niceTicks(stackedMax(grown, grows))

  if (slices.length === 0) {
    return (
      <Card title="Charts">
        <Empty title="Nothing to chart yet">Add a few transactions and your charts appear here.</Empty>
      </Card>
    )
  }

  const described = (what: string) =>
    `${what}. ${slices.map((s) => `${label(s.category)} ${formatMoney(s.value, currency)}`).join(', ')}.`

  return (
    <div className="grid gap-6 xl:grid-cols-3">
      <Card title="By category">
        <figure aria-label={described('Totals by category')} className="h-64" data-testid="chart-category">
          <ResponsiveContainer width="100%" height="100%">
            <PieChart>
              <Pie data={slices} dataKey="value" nameKey="category" innerRadius="55%" outerRadius="85%" paddingAngle={slices.length > 1 ? 2 : 0} stroke={slices.length > 1 ? '#fff' : 'none'} isAnimationActive={false}>
                {slices.map((s) => (
                  <Cell key={s.category} fill={categoryColor[s.category]} />
                ))}
              </Pie>
              <Tooltip formatter={money} labelFormatter={(l) => label(String(l))} />
              <Legend formatter={(v) => label(String(v))} wrapperStyle={legendStyle} />
            </PieChart>
          </ResponsiveContainer>
        </figure>
      </Card>
      <Card title="Monthly trend">
        <figure aria-label="Totals per month and category" className="h-64" data-testid="chart-monthly">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={months} margin={{ top: 12, left: 8, right: 8 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
              <XAxis dataKey="month" tickFormatter={(m) => formatMonth(String(m))} tick={{ fontSize: 12, fill: '#475569' }} />
              <YAxis tickFormatter={tick} tick={{ fontSize: 12, fill: '#475569' }} width={64} ticks={monthTicks} domain={[0, monthTicks.at(-1) ?? 0]} interval={0} />
              <Tooltip formatter={money} labelFormatter={(m) => formatMonth(String(m))} />
              <Legend formatter={(v) => label(String(v))} wrapperStyle={legendStyle} />
              {present.map((c) => (
                <Bar key={c} dataKey={c} stackId="m" fill={categoryColor[c]} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </figure>
      </Card>
      <Card title="Savings & investments over time">
        {grows.length === 0 ? (
          <div className="flex h-64 items-center justify-center">
            <Empty title="No savings or investments here" />
          </div>
        ) : (
        <figure aria-label="Cumulative savings and investments per month" className="h-64" data-testid="chart-growth">
          <ResponsiveContainer width="100%" height="100%">
            <AreaChart data={grown} margin={{ top: 12, left: 8, right: 8 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
              <XAxis dataKey="month" tickFormatter={(m) => formatMonth(String(m))} tick={{ fontSize: 12, fill: '#475569' }} />
              <YAxis tickFormatter={tick} tick={{ fontSize: 12, fill: '#475569' }} width={64} ticks={growthTicks} domain={[0, growthTicks.at(-1) ?? 0]} interval={0} />
              <Tooltip formatter={money} labelFormatter={(m) => formatMonth(String(m))} />
              <Legend formatter={(v) => label(String(v))} wrapperStyle={legendStyle} />
              {grows.map((c) => (
                <Area key={c} type="monotone" dataKey={c} stackId="g" stroke={categoryColor[c]} fill={categoryColor[c]} fillOpacity={0.2} isAnimationActive={false} />
              ))}
            </AreaChart>
          </ResponsiveContainer>
        </figure>
        )}
      </Card>
    </div>
  )
}

/** Totals shows one headline figure per category. */
export function Totals({ summary, currency }: { summary: Summary | undefined; currency: string }) {
  const slices = byCategory(summary, currency)
  const of = (c: Category) => slices.find((s) => s.category === c)
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      {(['expense', 'saving', 'investment'] as const).map((c) => (
        <div key={c} className="rounded-xl border border-slate-200 bg-white p-5 shadow-xs">
          <div className="flex items-center gap-2 text-sm text-slate-600">
            <span className={`h-2.5 w-2.5 rounded-full ${c === 'expense' ? 'bg-rose-600' : c === 'saving' ? 'bg-emerald-600' : 'bg-brand-600'}`} aria-hidden="true" />
            {c === 'expense' ? 'Spending' : c === 'saving' ? 'Savings' : 'Investments'}
          </div>
          <p className="mt-2 text-2xl font-semibold tracking-tight text-slate-900" data-testid={`total-${c}`}>
            {formatMoney(of(c)?.value ?? 0, currency)}
          </p>
          <p className="mt-1 text-xs text-slate-500">
            {of(c)?.count ?? 0} {of(c)?.count === 1 ? 'transaction' : 'transactions'} · all time
          </p>
        </div>
      ))}
    </div>
  )
}
