// ChatStore.messageStatus and messageHead (issue 17): a message's status from the status column
// alone, as the outbox reads it after a write (service/direct/deliver.ts), and its conversation,
// direction and status, as applying a receipt reads them (service/direct/receipts-in.ts), agreeing
// with getMessage at every step, `read` included (derived from read_at, migration 6).
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { msg, newIdentity, tempHome } from './helpers.js'

let t: ReturnType<typeof tempHome>
let store: SqliteNodeStore
beforeEach(() => {
  t = tempHome()
  store = createNodeStore(t.home, newIdentity(), 'me')
})
afterEach(() => {
  store.close()
  t.cleanup()
})

describe('messageStatus', () => {
  it('is undefined for an unknown id', () => {
    assert.equal(store.messageStatus('nope'), undefined)
    assert.equal(store.messageHead('nope'), undefined)
  })

  it('follows an outgoing message queued → sent → queued (unsend) → delivered → read', () => {
    const m = msg({ direction: 'out', status: 'queued', from: 'me', conversation: 'peerA' })
    store.insertMessage(m)
    const head = () => {
      const full = store.getMessage(m.id)
      return (
        full && { conversation: full.conversation, direction: full.direction, status: full.status }
      )
    }
    const both = () => {
      assert.deepEqual(store.messageHead(m.id), head(), 'messageHead agrees with getMessage')
      return [store.messageStatus(m.id), store.getMessage(m.id)?.status]
    }
    assert.deepEqual(both(), ['queued', 'queued'])
    store.setStatus(m.id, 'sent')
    assert.deepEqual(both(), ['sent', 'sent'])
    store.unsend([m.id])
    assert.deepEqual(both(), ['queued', 'queued'])
    store.setStatus(m.id, 'delivered')
    assert.deepEqual(both(), ['delivered', 'delivered'])
    store.setStatus(m.id, 'read', 5)
    assert.deepEqual(both(), ['read', 'read'])
  })
})
