#!/usr/bin/env node
// Regenerates the committed protobuf codecs from src/core/wire/pb/*.proto with protons.
import { readdirSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
const dir = 'src/core/wire/pb'
const protos = readdirSync(dir)
  .filter((f) => f.endsWith('.proto'))
  .map((f) => `${dir}/${f}`)
const r = spawnSync('npx', ['protons', ...protos], { stdio: 'inherit' })
process.exit(r.status ?? 1)
