import { defineConfig } from 'drizzle-kit'

// Used only by `npx drizzle-kit generate` to write SQL migrations from src/store/schema.ts.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/schema.ts',
  out: './src/store/migrations',
})
