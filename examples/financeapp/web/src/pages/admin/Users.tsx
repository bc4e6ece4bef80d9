import { useState } from 'react'
import { useDeleteUserMutation, useRevokeSessionsMutation, useSetRoleMutation, useUsersQuery } from '../../api/admin'
import { describeError } from '../../api/problem'
import { roles, type Role, type User } from '../../api/types'
import { useSession } from '../../app/hooks'
import { Alert, Badge, Button, Card, Dialog, Empty, Loading, PageHeader, Select, TableScroll } from '../../components/ui'
import { formatDateTime, label } from '../../lib/format'

type Confirming = { kind: 'revoke' | 'delete'; u: User } | null

function RoleSelect({ u, disabled }: { u: User; disabled: boolean }) {
  const [setRole, { isLoading, error }] = useSetRoleMutation()
  return (
    <div>
      <label className="sr-only" htmlFor={`role-${u.id}`}>
        Role of {u.email}
      </label>
      <Select
        id={`role-${u.id}`}
        className="w-32"
        value={u.role ?? ''}
        disabled={disabled || isLoading || u.status !== 'active'}
        onChange={(e) => setRole({ id: u.id, role: e.target.value as Role })}
      >
        {!u.role && <option value="">—</option>}
        {roles.map((r) => (
          <option key={r} value={r}>
            {label(r)}
          </option>
        ))}
      </Select>
      {error && <p className="mt-1 text-xs text-rose-700">{describeError(error).message}</p>}
    </div>
  )
}

/** Users lists every account with its role, and revokes sessions or deletes accounts. */
export function Users() {
  const { user: me } = useSession()
  const users = useUsersQuery({})
  const [confirming, setConfirming] = useState<Confirming>(null)
  const [revoke, revokeState] = useRevokeSessionsMutation()
  const [remove, removeState] = useDeleteUserMutation()
  const [done, setDone] = useState('')
  const state = confirming?.kind === 'delete' ? removeState : revokeState

  const act = async () => {
    if (!confirming) return
    const res = confirming.kind === 'delete' ? await remove(confirming.u.id) : await revoke(confirming.u.id)
    if (!('error' in res)) {
      setDone(confirming.kind === 'delete' ? `${confirming.u.email} was deleted.` : `Every session of ${confirming.u.email} was revoked.`)
      setConfirming(null)
    }
  }

  return (
    <>
      <PageHeader title="Users & roles" subtitle="A role change takes effect on the user's next request." />
      {done && <div className="mb-4"><Alert tone="green">{done}</Alert></div>}
      <Card>
        {users.isLoading ? (
          <Loading />
        ) : users.isError ? (
          <Alert action={<Button variant="secondary" onClick={() => users.refetch()}>Retry</Button>}>{describeError(users.error).message}</Alert>
        ) : (users.data ?? []).length === 0 ? (
          <Empty title="No users" />
        ) : (
          <TableScroll label="Users table">
            <table className="min-w-full divide-y divide-slate-200">
              <caption className="sr-only">Users</caption>
              <thead className="bg-slate-50">
                <tr>
                  <th scope="col" className="th">User</th>
                  <th scope="col" className="th">Status</th>
                  <th scope="col" className="th">Role</th>
                  <th scope="col" className="th">2FA</th>
                  <th scope="col" className="th">Joined</th>
                  <th scope="col" className="th"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {(users.data ?? []).map((u) => (
                  <tr key={u.id}>
                    <td className="td">
                      <p className="font-medium text-slate-900">{u.display_name}</p>
                      <p className="text-xs text-slate-500">{u.email}</p>
                    </td>
                    <td className="td">
                      <Badge tone={u.status === 'active' ? 'green' : u.status === 'pending' ? 'amber' : 'red'}>{label(u.status)}</Badge>
                    </td>
                    <td className="td">
                      <RoleSelect u={u} disabled={u.id === me?.id} />
                    </td>
                    <td className="td">{u.totp_enabled ? <Badge tone="green">On</Badge> : <Badge>Off</Badge>}</td>
                    <td className="td">{formatDateTime(u.created_at)}</td>
                    <td className="td text-right">
                      <div className="flex justify-end gap-1">
                        <Button variant="ghost" onClick={() => setConfirming({ kind: 'revoke', u })} aria-label={`Revoke sessions of ${u.email}`}>
                          Revoke sessions
                        </Button>
                        {u.id !== me?.id && (
                          <Button variant="ghost" className="text-rose-700 hover:bg-rose-50" onClick={() => setConfirming({ kind: 'delete', u })} aria-label={`Delete ${u.email}`}>
                            Delete
                          </Button>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </Card>
      {confirming && (
        <Dialog title={confirming.kind === 'delete' ? 'Delete this user?' : 'Revoke all sessions?'} onClose={() => setConfirming(null)}>
          <p className="text-sm text-slate-700">
            {confirming.kind === 'delete'
              ? `${confirming.u.email} and their data will be removed. This cannot be undone.`
              : `${confirming.u.email} is signed out everywhere on their next request.`}
          </p>
          {state.error && <div className="mt-3"><Alert>{describeError(state.error).message}</Alert></div>}
          <div className="mt-5 flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirming(null)}>
              Cancel
            </Button>
            <Button variant="danger" busy={state.isLoading} onClick={act}>
              {confirming.kind === 'delete' ? 'Delete user' : 'Revoke sessions'}
            </Button>
          </div>
        </Dialog>
      )}
    </>
  )
}
