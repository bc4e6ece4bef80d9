import { defineConfig } from 'vitest/config'

// End-to-end tests: real headless Chromium against the built UI, either served
// by vite preview with a scripted backend or by a running platform
// (E2E_BASE_URL).
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
})
