import { combineReducers, configureStore } from '@reduxjs/toolkit'
import { setupListeners } from '@reduxjs/toolkit/query'
import { api } from '../api/base'
import { sessionEnded, sessionReducer } from './sessionSlice'

const rootReducer = combineReducers({
  session: sessionReducer,
  [api.reducerPath]: api.reducer,
})

export type RootState = ReturnType<typeof rootReducer>

/** makeStore builds the Redux store; tests build a fresh one each. */
export function makeStore(preloaded?: Partial<RootState>) {
  const store = configureStore({
    reducer: rootReducer,
    preloadedState: preloaded as RootState | undefined,
    middleware: (getDefault) => getDefault().concat(api.middleware),
  })

  // A session that ends drops every cached answer: nothing of one person's
  // data stays in memory for the next.
  store.subscribe(
    (() => {
      let last = store.getState().session.status
      return () => {
        const now = store.getState().session.status
        const ended = last === 'authenticated' && now === 'anonymous'
        last = now
        if (ended) store.dispatch(api.util.resetApiState())
      }
    })(),
  )
  return store
}

export type AppStore = ReturnType<typeof makeStore>
export type AppDispatch = AppStore['dispatch']
export { sessionEnded }

/** setupRefetch refetches on focus and reconnect, as a person expects. */
export function setupRefetch(store: AppStore) {
  return setupListeners(store.dispatch)
}
