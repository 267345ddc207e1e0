// The edit, delete, react and disappearing routes and `replyTo` against a minimal in-memory
// ChatApi: the client's methods round-trip with the arguments the service gets; a bad id, a
// missing emoji, a non-boolean flag, a timer past MAX_TTL_SECONDS or a malformed replyTo is 400
// before the service is called; the service's typed errors keep their status; an API without
// chat answers 404 NotAvailable.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ApiClient } from '../../src/api/client.js'
import { startApiServer, type ApiServer } from '../../src/api/server.js'
import { MAX_TTL_SECONDS } from '../../src/core/wire/limits.js'
import { NotYourMessageError } from '../../src/service/errors.js'
import type { ChatApi } from '../../src/service/types.js'

const TOKEN = 'c'.repeat(64)
const ID = 'ab'.repeat(16)
const calls: unknown[][] = []

function fakeApi(withChat: boolean): ChatApi {
  const base = { on: () => () => undefined }
  const chat = {
    send: (ref: string, text: string, opts: unknown) => {
      calls.push(['send', ref, text, opts])
      return { id: ID, status: 'queued' }
    },
    editMessage: (id: string, text: string) => {
      if (text === 'forged') throw new NotYourMessageError('only your own messages')
      calls.push(['edit', id, text])
      return { id, edited: true }
    },
    deleteMessage: (id: string, forEveryone: boolean) => {
      calls.push(['delete', id, forEveryone])
      return { id, deleted: true }
    },
    reactMessage: (id: string, emoji: string, remove: boolean) => {
      calls.push(['react', id, emoji, remove])
      return { id, reactions: remove ? {} : { [emoji]: ['me'] } }
    },
    setDisappearing: (ref: string, ttlSeconds: number) => {
      calls.push(['disappearing', ref, ttlSeconds])
      return { conversation: 'P', ttlSeconds }
    },
  }
  return (withChat ? { ...base, ...chat } : base) as unknown as ChatApi
}

async function client(api: ChatApi): Promise<{ c: ApiClient; server: ApiServer }> {
  const server = await startApiServer(api, { host: '127.0.0.1', port: 0, token: TOKEN })
  const c = new ApiClient({ pid: process.pid, peerId: 'me', addrs: [], api: server.url }, TOKEN)
  return { c, server }
}

void describe('message routes', () => {
  let chat: { c: ApiClient; server: ApiServer }
  let relay: { c: ApiClient; server: ApiServer }
  before(async () => {
    chat = await client(fakeApi(true))
    relay = await client(fakeApi(false))
  })
  after(async () => {
    await chat.server.close()
    await relay.server.close()
  })

  void it('round-trips edit, delete, react, disappearing and replyTo', async () => {
    calls.length = 0
    assert.deepEqual(await chat.c.editMessage(ID, 'new'), { id: ID, edited: true })
    assert.deepEqual(await chat.c.deleteMessage(ID, true), { id: ID, deleted: true })
    assert.deepEqual(await chat.c.reactMessage(ID, '👍'), { id: ID, reactions: { '👍': ['me'] } })
    assert.deepEqual(await chat.c.setDisappearing('bob', 30), { conversation: 'P', ttlSeconds: 30 })
    await chat.c.send('bob', 'hi', { replyTo: ID })
    assert.deepEqual(calls, [
      ['edit', ID, 'new'],
      ['delete', ID, true],
      ['react', ID, '👍', false],
      ['disappearing', 'bob', 30],
      ['send', 'bob', 'hi', { replyTo: ID }],
    ])
    await assert.rejects(chat.c.editMessage(ID, 'forged'), {
      name: 'NotYourMessage',
      httpStatus: 403,
    })
  })

  void it('refuses bad arguments with 400 before the service sees them', async () => {
    calls.length = 0
    const status = (p: Promise<unknown>) =>
      p.then(
        () => assert.fail('accepted'),
        (err: { name: string; httpStatus: number }) => [err.name, err.httpStatus],
      )
    // Not a message id: no route matches (404), never the service.
    assert.equal((await status(chat.c.editMessage('nope', 'x')))[1], 404)
    assert.deepEqual(await status(chat.c.reactMessage(ID, '')), ['InvalidRequest', 400])
    assert.deepEqual(await status(chat.c.setDisappearing('bob', MAX_TTL_SECONDS + 1)), [
      'InvalidRequest',
      400,
    ])
    assert.deepEqual(await status(chat.c.send('bob', 'hi', { replyTo: 'xyz' })), [
      'InvalidRequest',
      400,
    ])
    assert.deepEqual(calls, [])
  })

  void it('an API without chat answers 404 NotAvailable', async () => {
    await assert.rejects(relay.c.editMessage(ID, 'x'), { name: 'NotAvailable', httpStatus: 404 })
    await assert.rejects(relay.c.setDisappearing('bob', 0), {
      name: 'NotAvailable',
      httpStatus: 404,
    })
  })
})
