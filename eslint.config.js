// Type-checked ESLint for Kith. The layer rules (STYLE.md) are enforced here, not hoped for.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import { importX } from 'eslint-plugin-import-x'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'src/core/wire/pb/**', 'src/node/*/pb/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after'],
              package: 'node:test',
            },
          ],
        },
      ],
      'prefer-const': ['error', { destructuring: 'all' }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'import-x/no-cycle': 'error',
      'no-console': 'error',
    },
  },
  {
    // The protocol core is pure: no network, no filesystem, no platform crypto, no clock or rng
    // of its own (ARCHITECTURE.md "Layers only call downward").
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['fs', 'net', 'crypto', 'os', 'path', 'child_process', 'libp2p'].map((name) => ({
            name,
            message: 'src/core is pure: no platform or network modules; inject them.',
          })),
          patterns: [
            { group: ['node:*'], message: 'src/core is pure: inject platform services.' },
            {
              group: ['@libp2p/*', '@chainsafe/*'],
              message: 'src/core must not know the network.',
            },
          ],
        },
      ],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/core',
              from: [
                './src/store',
                './src/node',
                './src/service',
                './src/api',
                './src/cli',
                './src/web',
                './src/platform',
              ],
              message: 'src/core calls no other layer (ARCHITECTURE.md).',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'core takes time from an injected Clock.' },
        { name: 'crypto', message: 'core takes randomness from an injected Rng.' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'core takes randomness from an injected Rng.',
        },
        { object: 'Date', property: 'now', message: 'core takes time from an injected Clock.' },
      ],
    },
  },
  {
    // The web app runs in a browser and talks to the daemon over HTTP only: of the daemon's code
    // it may import src/api's contract types (src/api/contract.ts) and nothing else (docs/web.md).
    files: ['src/web/**/*.ts', 'src/web/**/*.tsx'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/web',
              from: ['./src/core', './src/store', './src/node', './src/service', './src/cli'],
              message: 'src/web imports only src/api/contract.ts (types), docs/web.md.',
            },
            {
              target: './src/web',
              from: './src/api',
              except: ['./contract.ts'],
              message: 'src/web imports only src/api/contract.ts (types), docs/web.md.',
            },
            {
              target: './src/web',
              from: './src/platform',
              message: 'src/web runs in a browser: no platform modules.',
            },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
    },
  },
  {
    files: [
      'src/cli/**/*.ts',
      'bench/**/*.ts',
      'scripts/**/*.ts',
      'scripts/**/*.mjs',
      'test/**/*.ts',
    ],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
)
