// The conversation, read and settings routes against a minimal in-memory ChatApi: the client's
// methods round-trip, an unknown conversation is ContactNotFound (404), a bad or unknown setting
// is 400, and an API without chat (`kith relay`) answers 404 NotAvailable.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ApiClient } from '../../src/api/client.js'
import { startApiServer, type ApiServer } from '../../src/api/server.js'
import { ContactNotFoundError } from '../../src/service/errors.js'
import type { ChatApi, ConversationView, SettingsView } from '../../src/service/types.js'

const TOKEN = 'b'.repeat(64)

const row: ConversationView = {
  conversation: '12D3KooWbob',
  kind: 'direct',
  name: 'bob',
  unread: 2,
  last: null,
}

function fakeApi(withChat: boolean): ChatApi {
  let settings: SettingsView = { readReceipts: true }
  const base = { on: () => () => undefined }
  const chat = {
    conversations: () => [row],
    readConversation: (ref: string) => {
      if (ref !== 'bob') throw new ContactNotFoundError(`no contact or group "${ref}"`)
      return { conversation: '12D3KooWbob', read: 2 }
    },
    settings: () => settings,
    setSettings: (s: Partial<SettingsView>) => (settings = { ...settings, ...s }),
  }
  return (withChat ? { ...base, ...chat } : base) as unknown as ChatApi
}

async function client(api: ChatApi): Promise<{ c: ApiClient; server: ApiServer }> {
  const server = await startApiServer(api, { host: '127.0.0.1', port: 0, token: TOKEN })
  const c = new ApiClient({ pid: process.pid, peerId: 'me', addrs: [], api: server.url }, TOKEN)
  return { c, server }
}

void describe('conversation routes', () => {
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

  void it('lists conversations and marks one read; unknown is ContactNotFound 404', async () => {
    assert.deepEqual(await chat.c.conversations(), [row])
    assert.deepEqual(await chat.c.readConversation('bob'), {
      conversation: '12D3KooWbob',
      read: 2,
    })
    await assert.rejects(chat.c.readConversation('nobody'), {
      name: 'ContactNotFound',
      httpStatus: 404,
    })
  })

  void it('shows and sets settings; a bad value or unknown setting is 400', async () => {
    assert.deepEqual(await chat.c.settings(), { readReceipts: true })
    assert.deepEqual(await chat.c.setSettings({ readReceipts: false }), { readReceipts: false })
    assert.deepEqual(await chat.c.settings(), { readReceipts: false })
    const bad = (body: unknown) =>
      chat.c.setSettings(body as Partial<SettingsView>).then(
        () => assert.fail('accepted'),
        (err: { name: string; httpStatus: number }) => [err.name, err.httpStatus],
      )
    assert.deepEqual(await bad({ readReceipts: 'off' }), ['InvalidRequest', 400])
    assert.deepEqual(await bad({ typing: true }), ['InvalidRequest', 400])
  })

  void it('an API without chat answers 404 NotAvailable', async () => {
    await assert.rejects(relay.c.conversations(), { name: 'NotAvailable', httpStatus: 404 })
    await assert.rejects(relay.c.settings(), { name: 'NotAvailable', httpStatus: 404 })
  })
})
