// Groups between real daemons, the adversarial half (docs/groups.md §1, §3): two admins add and
// remove at the same moment and every member converges on the same list; a non-member publishing
// on the topic, a replayed message, a tampered one and a message under a rotated key are all
// rejected by the topic validators, counted in status.metrics.groupRejected, and never shown.
// The hostile peer is test/integration/hostile-group.ts (its own libp2p node, run with tsx).
// Epoch inflation (issue 11, finding 10): a member whose client is modified (its store edited
// while its daemon is stopped) sends a LEAVE signed at 2⁵³ − 1 over its real sessions; the others
// refuse it (counted in groupRejected.opEpoch), the admin's add and remove keep working, and a
// failing admin action is answered with a 4xx, never a 500.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import { fromHex, toHex } from '../../src/core/bytes.js'
import {
  createOwnState,
  encryptWithRecord,
  GroupOp,
  SenderKeyRecord,
  signGroupOp,
} from '../../src/core/group/index.js'
import { peerIdBytesFromPublicKey } from '../../src/core/identity/identity.js'
import { encodeChatContent } from '../../src/core/wire/content.js'
import { nodeCrypto } from '../../src/platform/node-crypto.js'
import type { GroupRejected, NodeStatus } from '../../src/service/types.js'
import { openNodeStore } from '../../src/store/sqlite.js'
import {
  api,
  chatOnly,
  json,
  jsonLines,
  run,
  startDaemon,
  stopAll,
  stopDaemon,
  token,
  until,
  type Daemon,
  type MessageLine,
} from './harness.js'

const homes: string[] = []
const children: Array<ReturnType<typeof spawn>> = []
const logged: Daemon[] = []
after(() => {
  for (const c of children) c.kill('SIGKILL')
  // KITH_IT_LOGS=<dir> (with DEBUG=kith:*) keeps every daemon's stderr for a failed run.
  const dir = process.env.KITH_IT_LOGS
  if (dir !== undefined) {
    mkdirSync(dir, { recursive: true })
    for (const d of logged)
      appendFileSync(join(dir, `${d.name}-${d.peerId}.log`), d.stderr.join(''))
  }
  stopAll(homes)
})

interface GroupLine {
  groupId: string
  members: string[]
  admins: string[]
  topic: string
}

const script = new URL('./hostile-group.ts', import.meta.url).pathname
const addrOf = (d: Daemon) => `/ip4/127.0.0.1/tcp/${d.port}/p2p/${d.peerId}`

async function hostile(args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(p)
    let out = ''
    let err = ''
    p.stdout.on('data', (d: Buffer) => (out += d.toString()))
    p.stderr.on('data', (d: Buffer) => (err += d.toString()))
    p.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`hostile ${code}: ${err}`)),
    )
  })
}

async function rejected(d: Daemon): Promise<GroupRejected> {
  const s = await api<NodeStatus>(d, 'GET', '/v1/status')
  return (
    s.metrics.groupRejected ?? {
      nonMember: 0,
      badSignature: 0,
      replay: 0,
      oldKey: 0,
      malformed: 0,
      opEpoch: 0,
      blocked: 0,
    }
  )
}

/** How long one hostile publish may wait to be counted before it is published again. */
const COUNTED_WAIT_MS = 20_000
/** Hostile publishes of one message before giving up (each a fresh hostile peer). */
const PUBLISH_ATTEMPTS = 3

/**
 * Publishes `hex` on `topic` at `to` through a fresh hostile peer until `counted` holds. A
 * publish nobody took (the hostile peer exits 3) or one not counted in COUNTED_WAIT_MS is tried
 * again; the victim's gossipsub drops a repeat of a message it saw, so it counts once.
 */
async function publishUntil(
  to: Daemon,
  topic: string,
  hex: string,
  what: string,
  counted: () => Promise<boolean>,
  note: (msg: string) => void,
): Promise<void> {
  const tries: string[] = []
  for (let i = 0; i < PUBLISH_ATTEMPTS; i++) {
    try {
      tries.push(JSON.stringify(await hostile(['publish', addrOf(to), topic, hex])))
    } catch (err) {
      tries.push((err as Error).message.slice(0, 200))
      continue
    }
    try {
      await until(`${what} counted`, async () => (await counted()) || undefined, COUNTED_WAIT_MS)
      // Published more than once: say why (the CI flake this replaced was a silent first miss).
      if (i > 0) note(`${what}: counted after ${tries.join('; ')}`)
      return
    } catch {
      tries.push('not counted')
    }
  }
  assert.fail(`${what} never counted: ${tries.join('; ')}`)
}

async function texts(d: Daemon, groupId: string): Promise<string[]> {
  const ms = chatOnly(await jsonLines<MessageLine>(d.home, ['group', 'messages', groupId]))
  return ms.map((m) => m.text)
}

async function groupOf(d: Daemon, groupId: string): Promise<GroupLine | undefined> {
  return (await json<GroupLine[]>(d.home, ['group', 'list'])).find((g) => g.groupId === groupId)
}

// Generous suite timeouts: under two copies at once on 2 cores a run took over 240 s.
describe('groups under concurrent admins and hostile publishers', { timeout: 600_000 }, () => {
  const ds: Daemon[] = []
  let groupId = ''

  it('concurrent add (admin A) and remove (admin B): all members converge on one list', async () => {
    // One at a time: five daemons starting at once on a loaded 2-core machine once missed the
    // harness's 30 s ready timeout.
    for (const n of ['a', 'b', 'c', 'd', 'e']) ds.push(await startDaemon(n))
    // c gets the lower PeerId of the two: it is then c who starts the b–c session (keys.ts
    // ensureSession), the order in which b used to refuse it once c was removed and never start
    // one itself (the bug of the next test). Names are labels only: the roles swap with them.
    const [x, y] = [ds[1]!, ds[2]!]
    const [lo, hi] = x.peerId < y.peerId ? [x, y] : [y, x]
    ds[1] = { ...hi, name: 'b' }
    ds[2] = { ...lo, name: 'c' }
    logged.push(...ds)
    homes.push(...ds.map((d) => d.home))
    const [a, b, c, d, e] = ds as [Daemon, Daemon, Daemon, Daemon, Daemon]
    for (const x of [b, c, d, e]) {
      const { link } = await json<{ link: string }>(x.home, ['invite'])
      await json(a.home, ['contacts', 'add', link, '--name', x.name])
    }
    groupId = (await json<{ groupId: string }>(a.home, ['group', 'create', 'crew'])).groupId
    await json(a.home, ['group', 'add', 'crew', 'b', '--admin'])
    await json(a.home, ['group', 'add', 'crew', 'c'])
    await json(a.home, ['group', 'add', 'crew', 'd'])
    const four = [a, b, c, d]
    for (const x of four) {
      await until(`${x.name} sees b as admin of 4`, async () => {
        const g = await groupOf(x, groupId)
        return g?.members.length === 4 && g.admins.includes(b.peerId)
      })
    }
    // A adds e while B removes c, at once.
    await Promise.all([
      json(a.home, ['group', 'add', groupId, 'e']),
      json(b.home, ['group', 'remove', groupId, c.peerId]),
    ])
    const want = [a, b, d, e].map((x) => x.peerId).sort()
    for (const x of [a, b, d, e]) {
      await until(
        `${x.name} converges`,
        async () => (await groupOf(x, groupId))?.members.join() === want.join(),
        60_000,
        300,
      )
    }
    const views = await Promise.all([a, b, d, e].map((x) => groupOf(x, groupId)))
    assert.equal(new Set(views.map((v) => `${v?.members.join()}|${v?.admins.join()}`)).size, 1)
    assert.equal(new Set(views.map((v) => v?.topic)).size, 1, 'one topic for everyone')
  })

  // Since members who are not contacts stopped being made contacts (issue 11, message requests)
  // the removed member sometimes never learned it: b (no contact of c) refused the session c had
  // started once c was no longer a member, and being the higher PeerId never started one itself,
  // so b's REMOVE for c waited for a session forever. Now the remover starts it from its side and
  // watches c until c acks the farewell (src/service/groups/removal.ts).
  it('the removed member c drops the group and is told why', async () => {
    const [, b, c] = ds as [Daemon, Daemon, Daemon]
    await until(
      'c drops the group',
      async () => (await groupOf(c, groupId)) === undefined,
      60_000,
      300,
    )
    // Issue 14: her next send names the removal, not GroupNotFound.
    const r = await run(c.home, ['group', 'send', groupId, 'still here?'])
    assert.equal(r.code, 1, r.stderr)
    assert.match(r.stderr, /NotAMember/)
    assert.ok(r.stderr.includes(`removed from this group by ${b.peerId}`), r.stderr)
    // Her history stays readable.
    await jsonLines(c.home, ['group', 'messages', groupId])
  })

  // Once flaky in CI (timed out waiting for the replay and rotated-key counts): each hostile
  // message was published once, after fixed sleeps, by a peer that gave up waiting for the
  // victim's subscription after 10 s and then published to nobody, silently. Now the hostile
  // peer fails loudly when nobody took its message, each message is published until the
  // victim counted it (gossipsub drops a repeat of one it saw: counted once), and the capture
  // takes as many of a's messages as it needs to see two.
  it('non-member, tampered, replayed and rotated-key messages are rejected and counted', async (t) => {
    const note = (msg: string) => t.diagnostic(msg)
    const [a, b, , d, e] = ds as [Daemon, Daemon, Daemon, Daemon, Daemon]
    const g1 = (await groupOf(d, groupId))!
    // A capturing peer on the current topic, attached to b.
    const cap = spawn(
      process.execPath,
      ['--import', 'tsx', script, 'capture', addrOf(b), g1.topic],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    children.push(cap)
    const captured: string[] = []
    let ready = false
    createInterface({ input: cap.stdout }).on('line', (l) => {
      const m = JSON.parse(l) as { hex?: string; ready?: boolean }
      if (m.ready === true) ready = true
      if (m.hex !== undefined) captured.push(m.hex)
    })
    await until('the capturing peer is up', () => Promise.resolve(ready))
    // a sends until two of its messages were captured (its subscription reaches b at some point).
    let sent = 0
    await until(
      'two messages captured',
      async () => {
        if (captured.length >= 2) return true
        sent++
        await api(a, 'POST', `/v1/groups/${groupId}/messages`, { text: `a secret #${sent}` })
        await until('b shows it', async () =>
          (await texts(b, groupId)).includes(`a secret #${sent}`),
        )
        return captured.length >= 2
      },
      60_000,
      1_000,
    )
    const [first, second] = captured.slice(-2) as [string, string]
    for (const x of [b, d, e])
      await until(
        `${x.name} shows all ${sent}`,
        async () => (await texts(x, groupId)).length === sent,
      )
    const before = await rejected(d)

    // 1. A non-member's own sender key, well-formed and signed: nonMember.
    const record = SenderKeyRecord.empty()
    record.resetTo(
      createOwnState({ crypto: nodeCrypto, rng: (n) => new Uint8Array(randomBytes(n)) }),
    )
    const forged = encryptWithRecord(
      nodeCrypto,
      record,
      fromHex(groupId),
      new TextEncoder().encode('x'),
    )
    await publishUntil(
      d,
      g1.topic,
      toHex(forged),
      'the non-member message',
      async () => {
        return (await rejected(d)).nonMember > before.nonMember
      },
      note,
    )
    // 2. A real message with one signature byte flipped: badSignature.
    const tampered = fromHex(second)
    tampered[tampered.length - 1]! ^= 1
    await publishUntil(
      d,
      g1.topic,
      toHex(tampered),
      'the tampered message',
      async () => {
        return (await rejected(d)).badSignature > before.badSignature
      },
      note,
    )
    // 3. A replay: d restarts (its gossipsub forgets what it saw; its keys do not). d2's
    // counters start again with it.
    await stopDaemon(d)
    const d2 = await startDaemon(d.name, d.home, d.port)
    logged.push(d2)
    ds[3] = d2
    await publishUntil(
      d2,
      g1.topic,
      first,
      'the replay',
      async () => {
        return (await rejected(d2)).replay >= 1
      },
      note,
    )
    // 4. After a removal every member rotates: the captured second message is under an old key.
    await json(a.home, ['group', 'remove', groupId, e.peerId])
    const three = [a, b, d2]
    const want = three.map((x) => x.peerId).sort()
    for (const x of three)
      await until(
        `${x.name} drops e`,
        async () => (await groupOf(x, groupId))?.members.join() === want.join(),
        60_000,
      )
    const g2 = (await groupOf(d2, groupId))!
    assert.notEqual(g2.topic, g1.topic, 'the topic changes with membership')
    await until(
      'a rotated and d2 has its new key',
      async () => {
        await api(a, 'POST', `/v1/groups/${groupId}/messages`, { text: 'a secret #rotated' })
        return (await texts(d2, groupId)).includes('a secret #rotated')
      },
      60_000,
      1_000,
    )
    await publishUntil(
      d2,
      g2.topic,
      second,
      'the rotated-key message',
      async () => {
        return (await rejected(d2)).oldKey >= 1
      },
      note,
    )
    // Nothing hostile was shown: d2 shows only a's genuine messages, once each.
    const ms = chatOnly(await jsonLines<MessageLine>(d2.home, ['group', 'messages', groupId]))
    assert.ok(ms.every((m) => m.from === a.peerId))
    assert.equal(new Set(ms.map((m) => m.id)).size, ms.length)
  })
})

describe('group epoch inflation by a modified client', { timeout: 300_000 }, () => {
  it('a LEAVE at 2^53 − 1 is refused and counted; add and remove still work; failures are 4xx', async () => {
    const [a, m, o] = [await startDaemon('ea'), await startDaemon('em'), await startDaemon('eo')]
    homes.push(a.home, m.home, o.home)
    const admin = a
    for (const x of [m, o]) {
      const { link } = await json<{ link: string }>(x.home, ['invite'])
      await json(admin.home, ['contacts', 'add', link, '--name', x.name])
    }
    const { groupId } = await json<{ groupId: string }>(admin.home, ['group', 'create', 'ep'])
    await json(admin.home, ['group', 'add', 'ep', m.name])
    await json(admin.home, ['group', 'add', 'ep', o.name])
    for (const x of [m, o])
      await until(`${x.name} sees 3 members`, async () => {
        return (await groupOf(x, groupId))?.members.length === 3
      })

    // The modified client: m's store gets a GroupUpdate with a LEAVE at 2^53 − 1 queued for a
    // and o; its daemon, restarted, sends it over the real sessions.
    await stopDaemon(m)
    const store = openNodeStore(m.home)
    const identity = store.protocol.getIdentityKeyPair()
    const leave = signGroupOp(nodeCrypto, identity, {
      groupId: fromHex(groupId),
      op: GroupOp.LEAVE,
      epoch: Number.MAX_SAFE_INTEGER,
    })
    for (const peer of [admin.peerId, o.peerId]) {
      const id = new Uint8Array(randomBytes(16))
      store.groups.enqueueControl({
        messageId: toHex(id),
        peer,
        content: encodeChatContent({
          messageId: id,
          sender: peerIdBytesFromPublicKey(identity.publicKey),
          seq: 0n,
          sentAt: BigInt(Date.now()),
          conversation: fromHex(groupId),
          group: {
            groupId: fromHex(groupId),
            ops: [leave.bytes],
            secrets: [new Uint8Array(0)],
            cards: [],
          },
        }),
        attempts: 0,
        nextAttemptAt: Date.now(),
      })
    }
    store.close()
    const m2 = await startDaemon(m.name, m.home, m.port)
    for (const x of [admin, o])
      await until(
        `${x.name} refused the LEAVE`,
        async () => (await rejected(x)).opEpoch >= 1,
        60_000,
      )
    const g = (await groupOf(admin, groupId))!
    assert.ok(g.members.includes(m2.peerId), 'the refused LEAVE changed nothing')

    // The admin still acts: remove o, add it back (each a 2xx; a 500 would throw).
    await api(admin, 'DELETE', `/v1/groups/${groupId}/members/${o.peerId}`)
    await api(admin, 'POST', `/v1/groups/${groupId}/members`, { contact: o.name })
    assert.equal((await groupOf(admin, groupId))?.members.length, 3)

    // Failing admin actions: typed 4xx, never a 500.
    const status = async (d: Daemon, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${d.api}${path}`, {
        method,
        headers: { authorization: `Bearer ${token(d.home)}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      return `${res.status} ${((await res.json()) as { error: string }).error}`
    }
    const failures = [
      await status(m2, 'DELETE', `/v1/groups/${groupId}/members/${o.peerId}`), // not an admin
      await status(admin, 'POST', `/v1/groups/${groupId}/members`, { contact: 'nobody' }),
      await status(admin, 'DELETE', `/v1/groups/${groupId}/members/nobody`),
      await status(admin, 'POST', `/v1/groups/${'0'.repeat(32)}/members`, { contact: o.name }),
      await status(admin, 'POST', '/v1/groups', { name: 'n'.repeat(300) }),
    ]
    for (const f of failures) assert.match(f, /^4\d\d /, f)
    assert.match(failures[0]!, /^403 NotAnAdmin$/)
  })
})
