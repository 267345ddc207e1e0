// The state half of the GroupStore (./group-types.ts) on the node's SQLite database (migration 3):
// groups with their replayed state, the op log and topic secrets, Sender Key records per (group,
// sender) — also the core's SenderKeyStore port (by distributionId, the group id's bytes) — and
// which of our own keys went to whom. This module owns the row ↔ object mapping of
// those tables; it knows nothing of what an op or a key means. ./groups.ts extends it with what
// moves: retained ciphertexts, marks, held-back messages and the control outbox.
import { abytes, toHex } from '../core/bytes.js'
import type { SenderKeyEntry } from '../core/store/types.js'
import type { GroupOpRow, GroupRow, SenderKeyRow } from './group-types.js'
import { SqliteTables, u8 } from './tables.js'

interface GroupDbRow {
  group_id: string
  name: string
  members: string
  admins: string
  epoch: number
  topic: string
  active: number
  created_at: number
}

/** A groups row as a GroupRow (members and admins are JSON arrays). */
function groupOut(r: GroupDbRow): GroupRow {
  return {
    groupId: r.group_id,
    name: r.name,
    members: JSON.parse(r.members) as string[],
    admins: JSON.parse(r.admins) as string[],
    epoch: r.epoch,
    topic: r.topic,
    active: r.active === 1,
    createdAt: r.created_at,
  }
}

export abstract class SqliteGroupLog extends SqliteTables {
  // --- groups

  putGroup(g: GroupRow): void {
    this.q(
      `INSERT INTO groups (group_id, name, members, admins, epoch, topic, active, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (group_id) DO UPDATE SET name = excluded.name, members = excluded.members,
         admins = excluded.admins, epoch = excluded.epoch, topic = excluded.topic,
         active = excluded.active`,
    ).run(
      g.groupId,
      g.name,
      JSON.stringify(g.members),
      JSON.stringify(g.admins),
      g.epoch,
      g.topic,
      g.active ? 1 : 0,
      g.createdAt,
    )
  }

  getGroup(idOrName: string): GroupRow | undefined {
    const r = this.q(
      `SELECT * FROM groups WHERE group_id = @k OR name = @k
       ORDER BY group_id = @k DESC, active DESC, created_at DESC LIMIT 1`,
    ).get({ k: idOrName }) as GroupDbRow | undefined
    return r && groupOut(r)
  }

  listGroups(): GroupRow[] {
    return (
      this.q('SELECT * FROM groups WHERE active = 1 ORDER BY name, group_id').all() as GroupDbRow[]
    ).map(groupOut)
  }

  allGroups(): GroupRow[] {
    return (this.q('SELECT * FROM groups ORDER BY name, group_id').all() as GroupDbRow[]).map(
      groupOut,
    )
  }

  // --- ops

  addOp(groupId: string, op: GroupOpRow): boolean {
    return this.db
      .transaction(() => {
        const known = this.q('SELECT 1 FROM group_ops WHERE group_id = ? AND hash = ?').get(
          groupId,
          op.hash,
        )
        if (known !== undefined) {
          if (op.secret !== undefined) {
            this.q(
              'UPDATE group_ops SET secret = ? WHERE group_id = ? AND hash = ? AND secret IS NULL',
            ).run(op.secret, groupId, op.hash)
          }
          return false
        }
        this.q('INSERT INTO group_ops (group_id, hash, op, secret) VALUES (?, ?, ?, ?)').run(
          groupId,
          op.hash,
          op.bytes,
          op.secret ?? null,
        )
        return true
      })
      .immediate()
  }

  ops(groupId: string): GroupOpRow[] {
    return (
      this.q('SELECT hash, op, secret FROM group_ops WHERE group_id = ?').all(groupId) as Array<{
        hash: Buffer
        op: Buffer
        secret: Buffer | null
      }>
    ).map((r) => ({
      hash: u8(r.hash),
      bytes: u8(r.op),
      secret: r.secret === null ? undefined : u8(r.secret),
    }))
  }

  opCount(groupId: string): number {
    return this.q('SELECT count(*) FROM group_ops WHERE group_id = ?')
      .pluck()
      .get(groupId) as number
  }

  // --- sender keys

  getSenderKey(groupId: string, sender: string): SenderKeyRow | undefined {
    const r = this.q(
      'SELECT record, current_chain, retired FROM group_sender_keys WHERE group_id = ? AND sender = ?',
    ).get(groupId, sender) as
      { record: Buffer; current_chain: number | null; retired: string } | undefined
    if (r === undefined) return undefined
    return {
      record: u8(r.record),
      currentChain: r.current_chain ?? undefined,
      retired: JSON.parse(r.retired) as number[],
    }
  }

  putSenderKey(groupId: string, sender: string, row: SenderKeyRow): void {
    this.q(
      `INSERT OR REPLACE INTO group_sender_keys (group_id, sender, record, current_chain, retired)
       VALUES (?, ?, ?, ?, ?)`,
    ).run(groupId, sender, row.record, row.currentChain ?? null, JSON.stringify(row.retired))
  }

  deleteSenderKey(groupId: string, sender: string): void {
    this.q('DELETE FROM group_sender_keys WHERE group_id = ? AND sender = ?').run(groupId, sender)
  }

  // The core's SenderKeyStore (src/core/store/types.ts) on the same rows: a group's
  // distributionId is its id's bytes (groupId = hex(distributionId)).

  loadSenderKey(sender: string, distributionId: Uint8Array): SenderKeyEntry | undefined {
    return this.getSenderKey(toHex(abytes('distributionId', distributionId)), sender)
  }

  storeSenderKey(sender: string, distributionId: Uint8Array, entry: SenderKeyEntry): void {
    abytes('record', entry.record)
    this.putSenderKey(toHex(abytes('distributionId', distributionId)), sender, entry)
  }

  removeSenderKey(sender: string, distributionId: Uint8Array): void {
    this.deleteSenderKey(toHex(abytes('distributionId', distributionId)), sender)
  }

  senderKeys(groupId: string): Array<SenderKeyRow & { sender: string }> {
    return (
      this.q(
        'SELECT sender, record, current_chain, retired FROM group_sender_keys WHERE group_id = ?',
      ).all(groupId) as Array<{
        sender: string
        record: Buffer
        current_chain: number | null
        retired: string
      }>
    ).map((r) => ({
      sender: r.sender,
      record: u8(r.record),
      currentChain: r.current_chain ?? undefined,
      retired: JSON.parse(r.retired) as number[],
    }))
  }

  // --- own keys handed out

  keySent(groupId: string, peer: string): number | undefined {
    return this.q('SELECT chain_id FROM group_keys_sent WHERE group_id = ? AND peer = ?')
      .pluck()
      .get(groupId, peer) as number | undefined
  }

  setKeySent(groupId: string, peer: string, chainId: number): void {
    this.q(
      'INSERT OR REPLACE INTO group_keys_sent (group_id, peer, chain_id) VALUES (?, ?, ?)',
    ).run(groupId, peer, chainId)
  }

  keysSentTo(groupId: string): string[] {
    return this.q('SELECT peer FROM group_keys_sent WHERE group_id = ? ORDER BY peer')
      .pluck()
      .all(groupId) as string[]
  }

  clearKeysSent(groupId: string): void {
    this.q('DELETE FROM group_keys_sent WHERE group_id = ?').run(groupId)
  }
}
