#!/usr/bin/env node
// Regenerates the committed protobuf codecs with protons: the core's wire and record formats
// (src/core/wire/pb/*.proto) and the node's protocols (src/node/<protocol>/pb/*.proto).
import { existsSync, readdirSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
const dirs = [
  'src/core/wire/pb',
  ...readdirSync('src/node', { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`src/node/${d.name}/pb`))
    .map((d) => `src/node/${d.name}/pb`),
]
const protos = dirs.flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.proto'))
    .map((f) => `${dir}/${f}`),
)
const r = spawnSync('npx', ['protons', ...protos], { stdio: 'inherit' })
process.exit(r.status ?? 1)
