// Our profile (CLI.md "Profile, requests, blocking"): `kith profile` shows the display name this
// node sends to its contacts, `kith profile --name NAME` sets it (the daemon tells every accepted
// contact over its session). Through the daemon's API. The name passes through `printable` in
// human output like every name: it is ours, but checked by the same rules and escaped anyway.
import type { Command } from 'commander'
import { ctxOf } from '../context.js'
import { printable, writeJson, writeOut } from '../output.js'

export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description('show or set (--name) the display name sent to your contacts')
    .option('--name <name>', 'the new display name (sent to every contact)')
    .action(async (o: { name?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const client = ctx.client()
      const p = o.name !== undefined ? await client.setProfileName(o.name) : await client.profile()
      if (ctx.json) {
        writeJson(p)
        return
      }
      if (o.name !== undefined) writeOut(`Profile name set to ${printable(p.name)}`)
      else writeOut(`${printable(p.name)}\n${p.peerId}`)
    })
}
