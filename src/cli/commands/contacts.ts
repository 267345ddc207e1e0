// Contact commands (CLI.md "Contacts and verification"): invite, contacts add/list/remove,
// verify. All through the daemon's API.
import type { Command } from 'commander'
import { ctxOf } from '../context.js'
import {
  qrCode,
  SafetyNumberMismatchError,
  table,
  writeErr,
  writeJson,
  writeOut,
} from '../output.js'

function yesNo(b: boolean): string {
  return b ? 'yes' : 'no'
}

export function registerContacts(program: Command): void {
  program
    .command('invite')
    .description('print a kith:// invite link and its QR code')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const invite = await ctx.client().invite()
      if (ctx.json) {
        writeJson(invite)
        return
      }
      writeOut(invite.link)
      const qr = await qrCode(invite.link)
      if (qr === undefined) writeErr('(the invite is too long for a QR code)')
      else writeOut(`\n${qr}`)
    })

  const contacts = program.command('contacts').description('manage contacts')

  contacts
    .command('add <link>')
    .description('add a contact from an invite link')
    .option('--name <name>', 'name to use for the contact')
    .action(async (link: string, o: { name?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const added = await ctx.client().addContact(link, o.name)
      if (ctx.json) writeJson(added)
      else writeOut(`Added ${added.name} (${added.peerId})`)
    })

  contacts
    .command('list')
    .description('all contacts, including ones that wrote first')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const list = await ctx.client().listContacts()
      if (ctx.json) {
        writeJson(list)
        return
      }
      if (list.length === 0) {
        writeOut('no contacts (add one: kith contacts add <link>)')
        return
      }
      writeOut(
        table(
          ['NAME', 'PEER ID', 'VERIFIED', 'ONLINE', ''],
          list.map((c) => [
            c.name,
            c.peerId,
            yesNo(c.verified),
            yesNo(c.online),
            c.keyChanged ? 'KEY CHANGED: messages held, verify again' : '',
          ]),
        ),
      )
    })

  contacts
    .command('remove <contact>')
    .description('remove a contact (its history is kept unless --purge)')
    .option('--purge', 'also delete the conversation')
    .action(async (ref: string, o: { purge?: boolean }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const r = await ctx.client().removeContact(ref, o.purge === true)
      if (ctx.json) writeJson(r)
      else writeOut(`Removed ${ref}${o.purge === true ? ' and its history' : ''}`)
    })

  program
    .command('verify <contact>')
    .description('show the safety number, or confirm it with --confirm')
    .option('--confirm <number>', 'mark verified if this is the safety number')
    .action(async (ref: string, o: { confirm?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const client = ctx.client()
      if (o.confirm !== undefined) {
        const r = await client.confirmSafetyNumber(ref, o.confirm)
        if (ctx.json) writeJson(r)
        if (!r.verified) {
          throw new SafetyNumberMismatchError(`that is not the safety number of ${ref}`)
        }
        if (!ctx.json) writeOut(`${ref} is verified`)
        return
      }
      const sn = await client.safetyNumber(ref)
      if (ctx.json) {
        writeJson(sn)
        return
      }
      const groups = sn.safetyNumber.split(/\s+/)
      const rows: string[] = []
      for (let i = 0; i < groups.length; i += 4) rows.push(`  ${groups.slice(i, i + 4).join(' ')}`)
      writeOut(`Safety number with ${sn.contact}:\n\n${rows.join('\n')}\n`)
      const qr = await qrCode(groups.join(''))
      if (qr !== undefined) writeOut(qr)
      writeOut(
        `If ${sn.contact} sees the same number, run:\n` +
          `  kith verify ${JSON.stringify(ref)} --confirm "${sn.safetyNumber}"`,
      )
    })
}
