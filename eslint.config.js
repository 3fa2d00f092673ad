// @ts-check
import tseslint from 'typescript-eslint'

/**
 * Lint rules that catch what the compiler cannot: a promise nobody awaits (a lost error, a
 * shutdown that does not wait), a promise where a boolean or a void callback was expected.
 * Type-aware, over the same tsconfig as `tsc --noEmit`.
 */
export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'bench/results/**', 'src/store/migrations/**', 'drizzle.config.ts', 'eslint.config.js'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],

    },
  },
)
