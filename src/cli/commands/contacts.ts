// Contact commands (CLI.md "Contacts and verification", "Profile, requests, blocking"): invite
// [--once], contacts add/list/remove/rename/block/unblock, verify. All through the daemon's API.
// Every name in human output goes through `printable` (a contact chose its invite name).
import type { Command } from 'commander'
import type { ContactView } from '../../api/contract.js'
import { ctxOf } from '../context.js'
import { terminalQr, type TerminalInfo } from '../terminal-qr.js'
import {
  printable,
  SafetyNumberMismatchError,
  table,
  writeErr,
  writeJson,
  writeOut,
} from '../output.js'

const stdoutInfo = (): TerminalInfo => ({
  isTTY: process.stdout.isTTY === true,
  columns: process.stdout.columns,
})

function yesNo(b: boolean): string {
  return b ? 'yes' : 'no'
}

function note(c: ContactView): string {
  const notes = [
    c.blocked ? 'BLOCKED' : '',
    c.keyChanged ? 'KEY CHANGED: messages held, verify again' : '',
  ]
  return notes.filter((n) => n !== '').join('; ')
}

export function registerContacts(program: Command): void {
  program
    .command('invite')
    .description('print a kith:// invite link and its QR code')
    .option('--once', 'a link that works for one contact only')
    .option('--full', 'a long link carrying your keys: can be added while you are offline')
    .action(async (o: { once?: boolean; full?: boolean }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const invite = await ctx.client().invite({
        ...(o.once === true ? { once: true } : {}),
        ...(o.full === true ? { full: true } : {}),
      })
      if (ctx.json) {
        writeJson(invite)
        return
      }
      writeOut(invite.link)
      const shown = await terminalQr(invite.link, stdoutInfo())
      if (shown !== undefined && 'qr' in shown) writeOut(`\n${shown.qr}`)
      else if (shown !== undefined) writeErr(shown.hint)
    })

  const contacts = program.command('contacts').description('manage contacts')

  contacts
    .command('add <link...>')
    .description('add a contact from an invite link (spaces and line breaks inside it are ignored)')
    .option('--name <name>', 'name to use for the contact')
    .action(async (parts: string[], o: { name?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      // A link pasted with a line break arrives in pieces when unquoted: joined, whitespace gone.
      const added = await ctx.client().addContact(parts.join(''), o.name)
      if (ctx.json) writeJson(added)
      else writeOut(`Added ${printable(added.name)} (${added.peerId})`)
    })

  contacts
    .command('list')
    .description('all contacts (strangers who wrote first are in: kith requests)')
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
          ['NAME', 'PEER ID', 'CALLS ITSELF', 'VERIFIED', 'ONLINE', ''],
          list.map((c) => [
            printable(c.name),
            c.peerId,
            c.profileName === '' || c.profileName === c.name ? '' : printable(c.profileName),
            yesNo(c.verified),
            yesNo(c.online),
            note(c),
          ]),
        ),
      )
    })

  contacts
    .command('rename <contact> <name>')
    .description('rename a contact (on this node only)')
    .action(async (ref: string, name: string, _o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const r = await ctx.client().renameContact(ref, name)
      if (ctx.json) writeJson(r)
      else writeOut(`Renamed ${r.peerId} to ${printable(r.name)}`)
    })

  for (const blocked of [true, false]) {
    contacts
      .command(`${blocked ? 'block' : 'unblock'} <contact>`)
      .description(
        blocked
          ? 'block a contact or any PeerId: its messages, deposits and group ops are dropped, nothing is sent to it'
          : 'unblock a contact or PeerId',
      )
      .action(async (ref: string, _o: unknown, cmd: Command) => {
        const ctx = ctxOf(cmd)
        const r = await ctx.client().blockContact(ref, blocked)
        if (ctx.json) writeJson(r)
        else writeOut(`${r.blocked ? 'Blocked' : 'Unblocked'} ${r.peerId}`)
      })
  }

  contacts
    .command('remove <contact>')
    .description('remove a contact (its history is kept unless --purge)')
    .option('--purge', 'also delete the conversation')
    .action(async (ref: string, o: { purge?: boolean }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const r = await ctx.client().removeContact(ref, o.purge === true)
      if (ctx.json) writeJson(r)
      else writeOut(`Removed ${printable(ref)}${o.purge === true ? ' and its history' : ''}`)
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
        if (!ctx.json) writeOut(`${printable(ref)} is verified`)
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
      const who = printable(sn.contact)
      writeOut(`Safety number with ${who}:\n\n${rows.join('\n')}\n`)
      const shown = await terminalQr(groups.join(''), stdoutInfo())
      if (shown !== undefined && 'qr' in shown) writeOut(shown.qr)
      writeOut(
        `If ${who} sees the same number, run:\n` +
          `  kith verify ${printable(JSON.stringify(ref))} --confirm "${sn.safetyNumber}"`,
      )
    })
}
