// Group control contents out (docs/groups.md §2): GroupUpdates for one member — ops with their
// secrets, member cards, our sender key — queued in the durable control outbox that the 1:1
// outbox drains over the pairwise session (../direct/control-outbox.ts); the whole op log for a
// new member, in chunks; the member cards others need to start sessions. It knows nothing of how
// the ops are judged (./membership.ts) or how the outbox sends.
import {
  encodeChatContent,
  fromHex,
  newMessageId,
  SenderKeyDistribution,
  toHex,
} from '../../core/index.js'
import { CARDS_PER_UPDATE, OPS_PER_UPDATE, type GroupContext } from './context.js'

export interface UpdateInit {
  ops?: Uint8Array[]
  secrets?: Uint8Array[]
  cards?: Uint8Array[]
  /** An encoded SenderKeyDistribution. */
  senderKey?: Uint8Array
  /** ChatContent.seq: with a sender key, our last group seq (the receiver's baseline mark). */
  seq?: number
}

/** Queues one GroupUpdate for `peer` in the durable control outbox (inside a transaction). */
export function queueUpdate(cx: GroupContext, peer: string, groupId: string, u: UpdateInit): void {
  const ops = u.ops ?? []
  const id = newMessageId(cx.ctx)
  const content = encodeChatContent({
    messageId: id,
    sender: cx.meBytes,
    seq: BigInt(u.seq ?? 0),
    sentAt: BigInt(cx.ctx.clock()),
    conversation: fromHex(groupId),
    group: {
      groupId: fromHex(groupId),
      ops,
      secrets: u.secrets ?? ops.map(() => new Uint8Array(0)),
      ...(u.senderKey !== undefined
        ? { senderKey: SenderKeyDistribution.decode(u.senderKey) }
        : {}),
      cards: u.cards ?? [],
    },
  })
  cx.store.groups.enqueueControl({
    messageId: toHex(id),
    peer,
    content,
    attempts: 0,
    nextAttemptAt: cx.ctx.clock(),
  })
  cx.flush(peer)
}

/** The whole op log with secrets, for a new member (in chunks of OPS_PER_UPDATE). */
export function sendHistory(cx: GroupContext, peer: string, groupId: string): void {
  const ops = cx.store.groups.ops(groupId)
  for (let i = 0; i < ops.length; i += OPS_PER_UPDATE) {
    const chunk = ops.slice(i, i + OPS_PER_UPDATE)
    queueUpdate(cx, peer, groupId, {
      ops: chunk.map((o) => o.bytes),
      secrets: chunk.map((o) => o.secret ?? new Uint8Array(0)),
    })
  }
}

/** Member cards we hold (ours included), so members who are not contacts can start sessions. */
export function sendCards(cx: GroupContext, peer: string, groupId: string, of: string[]): void {
  const cards: Uint8Array[] = []
  for (const m of of) {
    if (m === peer) continue
    const card = m === cx.me ? cx.ownCard() : cx.cards.of(m)?.signed
    if (card !== undefined) cards.push(card)
  }
  for (let i = 0; i < cards.length; i += CARDS_PER_UPDATE)
    queueUpdate(cx, peer, groupId, { cards: cards.slice(i, i + CARDS_PER_UPDATE) })
}
