// @ts-check
import globals from 'globals'
import tseslint from 'typescript-eslint'

/**
 * Lint rules that catch what the compiler cannot: a promise nobody awaits (a lost error, a
 * shutdown that does not wait), a promise where a boolean or a void callback was expected.
 * Type-aware, over the same tsconfig as `tsc --noEmit`. The dashboard's browser modules
 * (web/, served as they are, no compiler) and the Node scripts (.mjs) get the checks a compiler would have made: a name
 * that is not defined, a name defined and never used.
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
  {
    files: ['**/*.mjs'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.node },
    rules: { 'no-undef': 'error', 'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }] },
  },
  {
    files: ['web/**/*.js'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.browser },
    rules: {
      'no-undef': 'error',
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
)
