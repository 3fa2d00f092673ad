import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file starts its own redis-server and database; two cores run two files at a time.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
})
