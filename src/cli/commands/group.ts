// Group commands (CLI.md "Groups"; docs/groups.md): group create/rename/add/remove/leave/list/send/
// messages [--follow]. Through the daemon's API only. `<group>` is a group's name or id.
import type { Command } from 'commander'
import type { ApiClient } from '../../api/client.js'
import type { GroupView, MessageView, ServiceEvent } from '../../api/contract.js'
import { ctxOf, positiveInt } from '../context.js'
import { printable, ticks, writeJson, writeOut } from '../output.js'
import { checkTextArg, nameBook, replyToArg, messageIdArg } from './messages.js'
import { openFollow, untilInterrupted } from './follow.js'
import { messageLine } from './message-lines.js'

function membersLine(r: { groupId: string; members: string[] }): string {
  return `${r.groupId}  ${r.members.length} member${r.members.length === 1 ? '' : 's'}`
}

/** nameBook, plus group members who are not contacts by their profile name marked `~` (a name
 *  they chose, not ours: `~alice` is never mistaken for the contact `alice`). */
async function groupNameBook(client: ApiClient): Promise<(peerId: string) => string> {
  const [book, groups] = await Promise.all([nameBook(client), client.listGroups()])
  const members = new Map<string, string>()
  for (const g of groups) {
    for (const [p, n] of Object.entries(g.memberNames ?? {})) members.set(p, `~${n}`)
  }
  return (peerId) => {
    const n = book(peerId)
    return n === peerId ? (members.get(peerId) ?? peerId) : n
  }
}

export function registerGroup(program: Command): void {
  const group = program.command('group').description('group chats')

  group
    .command('create <name>')
    .description('create a group (you are its admin)')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const r = await ctx.client().createGroup(name)
      if (ctx.json) writeJson(r)
      else writeOut(`Created ${printable(r.name)} (${r.groupId})`)
    })

  group
    .command('rename <group> <name>')
    .description('rename a group for every member (admins only)')
    .action(async (ref: string, name: string, _o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const r = await ctx.client().renameGroup(ref, name)
      if (ctx.json) writeJson(r)
      else writeOut(`Renamed ${r.groupId} to ${printable(r.name)}`)
    })

  group
    .command('add <group> <contact>')
    .description('add a contact to a group (admins only)')
    .option('--admin', 'make the new member an admin too')
    .action(async (ref: string, contact: string, o: { admin?: boolean }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const r = await ctx.client().addGroupMember(ref, contact, o.admin === true)
      if (ctx.json) writeJson(r)
      else writeOut(membersLine(r))
    })

  group
    .command('remove <group> <contact>')
    .description('remove a member (admins only); the others rotate their keys')
    .action(async (ref: string, contact: string, _o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const r = await ctx.client().removeGroupMember(ref, contact)
      if (ctx.json) writeJson(r)
      else writeOut(membersLine(r))
    })

  group
    .command('leave <group>')
    .description('leave a group (its history stays readable)')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const r = await ctx.client().leaveGroup(ref)
      if (ctx.json) writeJson(r)
      else writeOut(`Left ${r.groupId}`)
    })

  group
    .command('list')
    .description('the groups you are a member of')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const list = await ctx.client().listGroups()
      if (ctx.json) {
        writeJson(list)
        return
      }
      if (list.length === 0) writeOut('no groups (create one: kith group create <name>)')
      // A group's name is chosen by its creator, who may be anyone who added us.
      for (const g of list) writeOut(`${printable(g.name)}  ${membersLine(g)}`)
    })

  group
    .command('send <group> <text...>')
    .description('send a message to a group')
    .option('--reply-to <id>', 'reply to message <id> of this group')
    .action(async (ref: string, words: string[], o: { replyTo?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const text = words.join(' ')
      checkTextArg(text)
      const r = await ctx.client().sendGroup(ref, text, replyToArg(o.replyTo))
      if (ctx.json) writeJson(r)
      else writeOut(`${r.status} ${ticks(r.status)}  ${r.id}`)
    })

  group
    .command('messages <group>')
    .description('a group’s history, oldest first')
    .option('--limit <n>', 'only the last N messages')
    .option('--before <id>', 'only messages shown before that one (page back with --limit)')
    .option('--follow', 'keep printing new messages')
    .action(
      async (
        ref: string,
        o: { limit?: string; follow?: boolean; before?: string },
        cmd: Command,
      ) => {
        const ctx = ctxOf(cmd)
        const limit = o.limit === undefined ? undefined : positiveInt('--limit', o.limit, 100_000)
        const before = o.before === undefined ? undefined : messageIdArg('--before', o.before)
        const client = ctx.client()
        const f = await openFollow(client, o.follow)
        try {
          const history = await client.groupMessages(ref, {
            ...(limit !== undefined ? { limit } : {}),
            ...(before !== undefined ? { before } : {}),
          })
          const name = ctx.json ? (p: string) => p : await groupNameBook(client)
          const print = (m: MessageView) =>
            ctx.json ? writeJson(m) : writeOut(messageLine(m, name, false))
          history.forEach(print)
          if (f === undefined) return
          const groups: GroupView[] = await client.listGroups()
          const groupId =
            (groups.find((g) => g.groupId === ref) ?? groups.find((g) => g.name === ref))
              ?.groupId ?? ref
          const shown = new Set(history.map((m) => m.id))
          const onEvent = (e: ServiceEvent) => {
            if (e.event !== 'message' || e.message.conversation !== groupId) return
            if (shown.has(e.message.id)) return
            shown.add(e.message.id)
            print(e.message)
          }
          f.start(onEvent)
          await untilInterrupted(f.stream)
        } finally {
          f?.stream.close()
        }
      },
    )
}
