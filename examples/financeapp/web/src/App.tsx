import { Provider } from 'react-redux'
import { RouterProvider } from 'react-router'
import type { AppStore } from './app/store'
import { useSessionQuery } from './api/auth'
import { makeRouter } from './router'

function SessionLoader() {
  // Loads who is signed in; the session slice follows the answer.
  useSessionQuery()
  return null
}

/** App wires the store, the session loader and the router. */
export function App({ store, router = makeRouter() }: { store: AppStore; router?: ReturnType<typeof makeRouter> }) {
  return (
    <Provider store={store}>
      <SessionLoader />
      <RouterProvider router={router} />
    </Provider>
  )
}
