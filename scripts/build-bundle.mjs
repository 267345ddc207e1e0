// Bundles the compiled CLI and daemon (dist/cli/main.js and everything it imports, libp2p
// included) into one minified ES module, dist/bundle/kith.mjs, which bin/kith runs. Why: loading
// ≈ 1,500 separate modules was most of a daemon's start (docs/performance.md "Start and
// memory"): the bundle is ready in ≈ 0.3 s instead of ≈ 0.8 s and idles ≈ 40 MiB smaller, because
// V8 parses and keeps one module instead of a graph of small ones. Options: ./bundle-options.mjs.
// The bundle sits two levels below the root (dist/bundle/) like dist/cli/main.js and
// dist/api/static.js, so their `import.meta.url`-relative paths (../../package.json,
// ../../dist/web/) resolve the same. Run by `npm run build` after tsc.
import { build } from 'esbuild'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleOptions } from './bundle-options.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const result = await build(
  bundleOptions(join(root, 'dist', 'cli', 'main.js'), join(root, 'dist', 'bundle', 'kith.mjs')),
)
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0)
console.log(`bundle: dist/bundle/kith.mjs ${(bytes / 1e6).toFixed(2)} MB`)
