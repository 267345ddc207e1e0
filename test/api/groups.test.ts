// The /v1/groups routes of the local API (docs/groups.md, CLI.md "Groups") against an in-memory
// ChatApi, through the real ApiClient: arguments reach the service, typed errors keep their
// names and statuses (GroupNotFound 404, NotAnAdmin 403, InvalidRequest 400), and an API without
// groups (`kith relay`) answers 404 NotAvailable.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ApiClient, ApiError } from '../../src/api/client.js'
import { startApiServer, type ApiServer } from '../../src/api/server.js'
import { GroupNotFoundError, NotAnAdminError } from '../../src/service/errors.js'
import type { ChatApi, GroupView, MessageView } from '../../src/service/types.js'

const TOKEN = 'b'.repeat(64)
const ID = 'ab'.repeat(16)

function base(): ChatApi {
  const no = (): never => {
    throw new Error('not in this fake')
  }
  return {
    status: no,
    peers: no,
    invite: no,
    addContact: no,
    listContacts: no,
    removeContact: no,
    renameContact: no,
    blockContact: no,
    unblockContact: no,
    listRequests: no,
    acceptRequest: no,
    blockRequest: no,
    safetyNumber: no,
    confirmSafetyNumber: no,
    send: no,
    waitDelivered: no,
    messages: no,
    on: () => () => undefined,
  }
}

function fakeGroups(calls: string[]): ChatApi {
  const group: GroupView = { groupId: ID, name: 'g', members: ['me'], admins: ['me'], topic: 't' }
  const find = (ref: string) => {
    if (ref !== ID && ref !== 'g') throw new GroupNotFoundError(`no group "${ref}"`)
    return group
  }
  const msg: MessageView = {
    id: 'm1',
    conversation: ID,
    from: 'me',
    direction: 'out',
    text: 'hi',
    sentAt: 1,
    receivedAt: 1,
    status: 'sent',
  }
  return {
    ...base(),
    createGroup: (name) => {
      calls.push(`create ${name}`)
      return { groupId: ID, name }
    },
    addGroupMember: (ref, contact, admin) => {
      find(ref)
      if (contact === 'x') throw new NotAnAdminError('only an admin of the group can do this')
      calls.push(`add ${contact} ${admin === true}`)
      return { groupId: ID, members: ['me', contact] }
    },
    removeGroupMember: (ref, contact) => {
      find(ref)
      calls.push(`remove ${contact}`)
      return { groupId: ID, members: ['me'] }
    },
    leaveGroup: (ref) => {
      find(ref)
      calls.push('leave')
      return { groupId: ID, members: [] }
    },
    listGroups: () => [group],
    sendGroup: (ref, text) => {
      find(ref)
      calls.push(`send ${text}`)
      return Promise.resolve({ id: 'm1', status: 'sent' })
    },
    groupMessages: (ref, opts) => {
      find(ref)
      calls.push(`messages ${opts.limit ?? '-'}`)
      return [msg]
    },
  }
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p
  } catch (err) {
    if (err instanceof ApiError) return err
    throw err
  }
  throw new Error('expected a failure')
}

describe('/v1/groups', () => {
  const calls: string[] = []
  let server: ApiServer
  let bare: ApiServer
  let client: ApiClient
  let relay: ApiClient
  before(async () => {
    server = await startApiServer(fakeGroups(calls), { host: '127.0.0.1', port: 0, token: TOKEN })
    bare = await startApiServer(base(), { host: '127.0.0.1', port: 0, token: TOKEN })
    const info = (api: string) => ({ pid: process.pid, peerId: 'x', addrs: [], api })
    client = new ApiClient(info(server.url), TOKEN)
    relay = new ApiClient(info(bare.url), TOKEN)
  })
  after(async () => {
    await server.close()
    await bare.close()
  })

  it('every route reaches the service with its arguments', async () => {
    assert.deepEqual(await client.createGroup('team'), { groupId: ID, name: 'team' })
    assert.deepEqual((await client.addGroupMember('g', 'bob', true)).members, ['me', 'bob'])
    await client.addGroupMember(ID, 'carol')
    assert.deepEqual((await client.removeGroupMember('g', 'bob/x')).members, ['me'])
    assert.deepEqual(await client.leaveGroup('g'), { groupId: ID, members: [] })
    assert.equal((await client.listGroups())[0]?.topic, 't')
    assert.deepEqual(await client.sendGroup('g', 'hello there'), { id: 'm1', status: 'sent' })
    assert.equal((await client.groupMessages('g', { limit: 5 }))[0]?.conversation, ID)
    await client.groupMessages('g')
    assert.deepEqual(calls, [
      'create team',
      'add bob true',
      'add carol false',
      'remove bob/x',
      'leave',
      'send hello there',
      'messages 5',
      'messages -',
    ])
  })

  it('typed errors keep their names and statuses', async () => {
    const missing = await failure(client.sendGroup('nope', 'x'))
    assert.equal(missing.name, 'GroupNotFound')
    assert.equal(missing.httpStatus, 404)
    const notAdmin = await failure(client.addGroupMember('g', 'x'))
    assert.equal(notAdmin.name, 'NotAnAdmin')
    assert.equal(notAdmin.httpStatus, 403)
    const empty = await failure(client.createGroup(''))
    assert.equal(empty.name, 'InvalidRequest')
    assert.equal(empty.httpStatus, 400)
    const badLimit = await failure(client.groupMessages('g', { limit: 0 }))
    assert.equal(badLimit.httpStatus, 400)
  })

  it('an API without groups answers 404 NotAvailable', async () => {
    for (const p of [relay.listGroups(), relay.createGroup('x'), relay.sendGroup('g', 'x')]) {
      const err = await failure(p)
      assert.equal(err.name, 'NotAvailable')
      assert.equal(err.httpStatus, 404)
    }
  })
})
