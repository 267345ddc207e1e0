// Builds the web app (src/web → dist/web, docs/web.md): esbuild bundles src/web/main.tsx and its
// CSS into content-hashed files under dist/web/assets (served with a year's caching by
// src/api/static.ts), then writes dist/web/index.html naming them (served with no-cache). No
// inline script or style anywhere: the page's CSP allows 'self' only. Prints the bundle's sizes.
// Files are replaced atomically and only when changed, so a daemon serving dist/web meanwhile
// never reads a missing file. Run by `npm run build` (so by `npm ci`'s prepare); `--dev` skips
// minifying.
import { build } from 'esbuild'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { Buffer } from 'node:buffer'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist', 'web')
const dev = process.argv.includes('--dev')

mkdirSync(join(out, 'assets'), { recursive: true })

/** Writes `data` to `path` through a temporary file and a rename, and only if it differs: a
 *  daemon serving dist/web while this runs (tests build it too, two at a time) never reads a
 *  missing or half-written file. */
function put(path, data) {
  try {
    if (Buffer.compare(readFileSync(path), Buffer.from(data)) === 0) return
  } catch {
    /* not there yet */
  }
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, data)
  renameSync(tmp, path)
}

const result = await build({
  entryPoints: { app: join(root, 'src/web/main.tsx') },
  bundle: true,
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: !dev,
  sourcemap: false,
  metafile: true,
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
})

const files = result.outputFiles.map((f) => f.path)
const js = files.find((f) => f.endsWith('.js'))
const css = files.find((f) => f.endsWith('.css'))
if (js === undefined || css === undefined) throw new Error('esbuild made no .js or no .css')
for (const f of result.outputFiles) put(f.path, f.contents)

put(
  join(out, 'index.html'),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Kith</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/${basename(css)}">
<script type="module" src="/assets/${basename(js)}"></script>
</head>
<body><div id="app"></div><noscript>Kith’s web app needs JavaScript.</noscript></body>
</html>
`,
)

// Assets of earlier builds (other hashes) go; the ones just written stay.
const keep = new Set(files.map((f) => basename(f)))
for (const name of readdirSync(join(out, 'assets'))) {
  if (!keep.has(name) && !name.endsWith('.tmp')) rmSync(join(out, 'assets', name), { force: true })
}

const size = (f) => {
  const data = readFileSync(f)
  return `${(data.length / 1024).toFixed(1)} KiB (${(gzipSync(data).length / 1024).toFixed(1)} KiB gzip)`
}
console.log(`web: ${basename(js)} ${size(js)}, ${basename(css)} ${size(css)}`)
