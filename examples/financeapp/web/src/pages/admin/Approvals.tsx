import { useState } from 'react'
import { useRejectUserMutation, useSetRoleMutation, useUsersQuery } from '../../api/admin'
import { describeError } from '../../api/problem'
import { roles, type Role, type User } from '../../api/types'
import { Alert, Button, Card, Empty, Loading, PageHeader, Select } from '../../components/ui'
import { formatDateTime, label } from '../../lib/format'

function PendingRow({ u }: { u: User }) {
  const [role, setRole] = useState<Role>('user')
  const [approve, approveState] = useSetRoleMutation()
  const [reject, rejectState] = useRejectUserMutation()
  const err = approveState.error ?? rejectState.error
  return (
    <li className="py-4">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <p className="font-medium text-slate-900">{u.display_name}</p>
          <p className="text-sm text-slate-600">{u.email}</p>
          <p className="text-xs text-slate-500">Signed up {formatDateTime(u.created_at)}</p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <label className="sr-only" htmlFor={`role-${u.id}`}>
            Role for {u.email}
          </label>
          <Select id={`role-${u.id}`} className="w-36" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {label(r)}
              </option>
            ))}
          </Select>
          <Button busy={approveState.isLoading} onClick={() => approve({ id: u.id, role })} aria-label={`Approve ${u.email}`}>
            Approve
          </Button>
          <Button variant="secondary" busy={rejectState.isLoading} onClick={() => reject(u.id)} aria-label={`Reject ${u.email}`}>
            Reject
          </Button>
        </div>
      </div>
      {err && <div className="mt-3"><Alert>{describeError(err).message}</Alert></div>}
    </li>
  )
}

/** Approvals lists the accounts waiting for a role. */
export function Approvals() {
  const users = useUsersQuery({ status: 'pending' })
  const pending = (users.data ?? []).filter((u) => u.status === 'pending')
  return (
    <>
      <PageHeader title="Pending approvals" subtitle="Each new account needs exactly one role before it can sign in." />
      <Card>
        {users.isLoading ? (
          <Loading />
        ) : users.isError ? (
          <Alert action={<Button variant="secondary" onClick={() => users.refetch()}>Retry</Button>}>{describeError(users.error).message}</Alert>
        ) : pending.length === 0 ? (
          <Empty title="No one is waiting">New sign-ups appear here.</Empty>
        ) : (
          <ul className="-my-4 divide-y divide-slate-100" aria-label="Pending accounts">
            {pending.map((u) => (
              <PendingRow key={u.id} u={u} />
            ))}
          </ul>
        )}
      </Card>
    </>
  )
}
