// Message requests (CLI.md "Profile, requests, blocking"): `kith requests` lists strangers who
// wrote first and were not accepted (the daemon keeps a bounded list); `requests accept <peerId>
// [--name NAME]` makes one a contact and prints its held messages, `requests block <peerId>` drops
// it and blocks the peer. Through the daemon's API. A request's profile name is whatever the
// stranger sent: human output passes it through `printable`.
import type { Command } from 'commander'
import { ctxOf } from '../context.js'
import { formatTime, printable, table, writeJson, writeOut } from '../output.js'
import { nameBook } from './messages.js'
import { messageLine } from './message-lines.js'

export function registerRequests(program: Command): void {
  const requests = program
    .command('requests')
    .description('message requests: strangers who wrote first (accept or block them)')

  requests
    .command('list', { isDefault: true, hidden: true })
    .description('list message requests (the default)')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const list = await ctx.client().listRequests()
      if (ctx.json) {
        writeJson(list)
        return
      }
      if (list.length === 0) {
        writeOut('no message requests')
        return
      }
      writeOut(
        table(
          ['PEER ID', 'CALLS ITSELF', 'MESSAGES', 'FIRST'],
          list.map((r) => [
            r.peerId,
            printable(r.profileName),
            String(r.messages),
            formatTime(r.firstAt),
          ]),
        ),
      )
      writeOut('\nkith requests accept <peerId> [--name NAME] · kith requests block <peerId>')
    })

  requests
    .command('accept <peerId>')
    .description('make the stranger a contact; its held messages join the history')
    .option('--name <name>', 'name to give the new contact')
    .action(async (peerId: string, o: { name?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const client = ctx.client()
      const r = await client.acceptRequest(peerId, o.name)
      if (ctx.json) {
        writeJson(r)
        return
      }
      const as = o.name !== undefined ? ` as ${printable(o.name)}` : ''
      writeOut(`Accepted ${r.peerId}${as}`)
      // The messages it held, now in the history (CLI.md: "held messages shown").
      const name = await nameBook(client)
      for (const m of await client.messages({ contact: r.peerId })) {
        writeOut(messageLine(m, name, false))
      }
    })

  requests
    .command('block <peerId>')
    .description('drop the request and block the peer')
    .action(async (peerId: string, _o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const r = await ctx.client().blockRequest(peerId)
      if (ctx.json) writeJson(r)
      else writeOut(`Blocked ${r.peerId}`)
    })
}
