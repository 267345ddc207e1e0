// Type-checked ESLint for Kith. The layer rules (STYLE.md) are enforced here, not hoped for.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import { importX } from 'eslint-plugin-import-x'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'

/** Every layer folder under src/. */
const LAYERS = ['core', 'platform', 'store', 'node', 'service', 'api', 'cli', 'web', 'daemon']
/** `./src/<layer>` for each named layer. */
const dirs = (...names) => names.map((n) => `./src/${n}`)
/** Every layer folder but the ones named. */
const allBut = (...names) => dirs(...LAYERS.filter((l) => !names.includes(l)))

// Who may import whom (docs/architecture.md "Layers"). `from` lists what a target may NOT import;
// `except` opens a layer's public faces. The composition root, src/daemon, may import every layer
// and has no zone; the CLI may import it (the lazy `kith daemon`, `relay`, `init`, `id`, `backup`
// and `restore` run it in-process), and nothing below the CLI may.
const LAYER_ZONES = [
  {
    target: './src/core',
    from: allBut('core'),
    message: 'src/core calls no other layer (ARCHITECTURE.md).',
  },
  {
    target: './src/platform',
    from: allBut('platform', 'core'),
    message: 'src/platform implements core ports for Node; it knows no layer above the core.',
  },
  {
    target: './src/store',
    from: allBut('store', 'core', 'platform'),
    message:
      'src/store knows rows, not the network or the service: limits are passed in (src/daemon).',
  },
  {
    target: './src/node',
    from: allBut('node', 'core', 'platform'),
    message: 'src/node knows peers and streams, not the store or the service: ports are passed in.',
  },
  {
    target: './src/service',
    from: allBut('service', 'core', 'platform', 'store', 'node'),
    message: 'src/service calls only downward: core, store, node.',
  },
  {
    target: './src/service',
    from: './src/node',
    except: ['./index.ts', './limits.ts'],
    message: 'src/service uses the node through its public face, src/node/index.ts (or limits.ts).',
  },
  {
    target: './src/service',
    from: './src/core',
    except: ['./index.ts', './wire/limits.ts', './file/limits.ts', './errors.ts'],
    message:
      'src/service uses the core through src/core/index.ts (or a constants-only limits module, ' +
      'or core/errors.ts, the error family, which imports nothing).',
  },
  {
    target: './src/api',
    from: allBut('api', 'service'),
    message: 'src/api serves the service: it knows no libp2p, store or protocol.',
  },
  {
    target: './src/api',
    from: './src/service',
    except: ['./index.ts', './limits.ts'],
    message:
      'src/api uses the service through its public face, src/service/index.ts (or limits.ts).',
  },
  {
    target: './src/cli',
    from: allBut('cli', 'api', 'daemon'),
    message: 'src/cli knows only src/api (and starts src/daemon); types from src/api/contract.ts.',
  },
  {
    target: './src/web',
    from: allBut('web', 'api'),
    message: 'src/web imports only src/api/contract.ts (types), docs/web.md.',
  },
  {
    target: './src/web',
    from: './src/api',
    except: ['./contract.ts'],
    message: 'src/web imports only src/api/contract.ts (types), docs/web.md.',
  },
]

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
    // Layer zones (docs/architecture.md "Layers"): each layer imports only the layers below it,
    // and the layer above the service only through its public faces. One list for every file, so
    // no later block can drop a zone of an earlier one.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: LAYER_ZONES }] },
  },
  {
    // The web app runs in a browser and talks to the daemon over HTTP only: of the daemon's code
    // it may import src/api's contract types (src/api/contract.ts) and nothing else (docs/web.md);
    // the zone is in LAYER_ZONES, type-only imports here.
    files: ['src/web/**/*.ts', 'src/web/**/*.tsx'],
    rules: {
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
