import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import tailwindcss from '@tailwindcss/vite'
import { securityHeaders } from './csp.ts'

// The backend the dev server and preview proxy /api to, for working against a
// running platform (financeapp dev). Unset, /api is left to the test harness.
const backend = process.env.FINANCEAPP_URL

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: false,
    // Keep every asset a file: an inlined data: URL script or style would need
    // a weaker Content-Security-Policy.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: backend ? { '/api': { target: backend, changeOrigin: false, secure: false } } : undefined,
  },
  preview: {
    headers: securityHeaders,
    proxy: backend ? { '/api': { target: backend, changeOrigin: false, secure: false } } : undefined,
  },
  test: {
    environment: 'jsdom',
    // A secure origin, so that __Host- cookies behave as in the browser.
    environmentOptions: { jsdom: { url: 'https://localhost/' } },
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    // Timeouts catch hangs, not slowness: a loaded CI machine renders a page
    // with charts in seconds, not milliseconds.
    testTimeout: 30_000,
  },
})
