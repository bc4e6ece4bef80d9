import { createSlice, type PayloadAction } from '@reduxjs/toolkit'
import type { User } from '../api/types'

/** SessionState is what the UI knows of the signed-in person. */
export interface SessionState {
  /** status is 'unknown' until the first session request has answered. */
  status: 'unknown' | 'anonymous' | 'authenticated'
  user: User | null
  /** csrfToken is kept in memory only, never in web storage. */
  csrfToken: string
  /** ended says why the last session ended, for the sign-in page to explain. */
  ended: '' | 'signed_out' | 'expired'
}

const initialState: SessionState = { status: 'unknown', user: null, csrfToken: '', ended: '' }

const slice = createSlice({
  name: 'session',
  initialState,
  reducers: {
    sessionLoaded(state, action: PayloadAction<{ user: User | null; csrf_token?: string }>) {
      state.user = action.payload.user
      state.status = action.payload.user ? 'authenticated' : 'anonymous'
      if (action.payload.csrf_token) state.csrfToken = action.payload.csrf_token
      if (action.payload.user) state.ended = ''
    },
    sessionEnded(state, action: PayloadAction<'signed_out' | 'expired'>) {
      if (state.status !== 'authenticated' && action.payload === 'expired') return
      state.user = null
      state.status = 'anonymous'
      state.ended = action.payload
    },
  },
})

export const { sessionLoaded, sessionEnded } = slice.actions
export const sessionReducer = slice.reducer
