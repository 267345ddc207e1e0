#!/usr/bin/env node
// Runs every test file under test/ with Node's own runner. On Node 20 `--test` does not expand
// globs, so the files are listed here. `npm test -- <filter>` keeps only paths containing <filter>.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : []
  })
}
const filters = process.argv.slice(2)
const files = walk('test')
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()
if (files.length === 0) {
  console.error('no test files matched')
  process.exit(1)
}
const r = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--import',
    './src/platform/polyfill.ts',
    '--test',
    '--test-concurrency=2',
    ...files,
  ],
  { stdio: 'inherit' },
)
process.exit(r.status ?? 1)
