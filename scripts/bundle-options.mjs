// The esbuild options of Kith's daemon bundle (scripts/build-bundle.mjs), shared with the dm
// bench, which bundles its baseline processes the same way so that their start-up and memory are
// compared like for like (bench/lib/dm-start.ts).

/** Packages with native addons: they stay `import`s resolved from node_modules at run time, since
 *  they load their .node files relative to their own package. */
export const NATIVE_EXTERNALS = [
  'better-sqlite3-multiple-ciphers',
  'node-datachannel',
  '@ipshipyard/node-datachannel',
]

/** Packages that read their own files relative to their module at run time, so they too stay
 *  `import`s resolved from node_modules: @achingbrain/ssdp (UPnP, through @libp2p/upnp-nat)
 *  runs `createRequire(import.meta.url)('../../package.json')`, which inside a bundle names
 *  whatever lies two folders above the bundle (Kith's package.json for dist/bundle/kith.mjs,
 *  nothing for the dm bench's children under dist/bench/<dir>/, which then fail to load). */
export const SELF_READING_EXTERNALS = ['@achingbrain/ssdp']

/** esbuild options bundling `entry` (with everything it imports) into the ES module `outfile`.
 *  `keepNames` keeps class and function names, which errors are told apart by (`err.name`). */
export function bundleOptions(entry, outfile) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    keepNames: true,
    external: [...NATIVE_EXTERNALS, ...SELF_READING_EXTERNALS],
    // CommonJS dependencies bundled into an ES module still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __kithRequire } from 'node:module'; const require = __kithRequire(import.meta.url);",
    },
    logLevel: 'warning',
    metafile: true,
  }
}
