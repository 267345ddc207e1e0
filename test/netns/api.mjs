/* global fetch */
// A daemon's local API from inside its network namespace (`ip netns exec`), where the API
// listens on 127.0.0.1, for what the CLI is not suited to in tests:
//   node api.mjs send <home> <contact> <prefix> <count> [size]
//     sends `count` messages "<prefix>-<i>" (padded with "." to `size` characters), one request
//     after another;
//   node api.mjs get <home> <path>
//     prints the JSON answer of GET <path>. (`kith messages` ends with process.exit(), which
//     drops piped output beyond the pipe buffer: hundreds of messages came back cut short.)
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const [mode, home, ...args] = process.argv.slice(2)
const { api } = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8'))
const token = readFileSync(join(home, 'api-token'), 'utf8').trim()
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }

if (mode === 'send') {
  const [contact, prefix, count, size = '0'] = args
  for (let i = 0; i < Number(count); i++) {
    const text = `${prefix}-${i}`.padEnd(Number(size), '.')
    const res = await fetch(`${api}/v1/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ contact, text }),
    })
    if (!res.ok) {
      process.stderr.write(`send ${i}: ${res.status} ${await res.text()}\n`)
      process.exitCode = 1
      break
    }
  }
} else if (mode === 'get') {
  const res = await fetch(`${api}${args[0]}`, { headers })
  process.stdout.write(await res.text())
  if (!res.ok) process.exitCode = 1
} else {
  process.stderr.write('usage: api.mjs send|get …\n')
  process.exitCode = 2
}
