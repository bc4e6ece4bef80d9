import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { makeStore, setupRefetch } from './app/store'
import './index.css'

const store = makeStore()
setupRefetch(store)

const root = document.getElementById('root')
if (!root) throw new Error('index.html lacks #root')

createRoot(root).render(
  <StrictMode>
    <App store={store} />
  </StrictMode>,
)
