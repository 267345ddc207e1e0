/* global fetch */
// Sends `count` messages "<prefix>-<i>" (padded with "." to `size` characters) through a
// daemon's local API, one request after another: run inside the daemon's network namespace
// (`ip netns exec`), where its API listens on 127.0.0.1. Usage:
//   node bulk.mjs <home> <contact> <prefix> <count> [size]
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const [home, contact, prefix, count, size = '0'] = process.argv.slice(2)
const { api } = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8'))
const token = readFileSync(join(home, 'api-token'), 'utf8').trim()
for (let i = 0; i < Number(count); i++) {
  const text = `${prefix}-${i}`.padEnd(Number(size), '.')
  const res = await fetch(`${api}/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ contact, text }),
  })
  if (!res.ok) {
    process.stderr.write(`send ${i}: ${res.status} ${await res.text()}\n`)
    process.exit(1)
  }
}
