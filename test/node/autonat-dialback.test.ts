// The AutoNAT dial-back workaround (src/node/libp2p/patches.ts autoNATService): the AutoNAT server must dial
// the address it was asked to verify on a new connection (force), never hand back — and then
// close — the requester's existing connection. Checked on the components the service is built
// with: a dial-back to a multiaddr is forced, a dial by PeerId is passed through unchanged.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { autoNATService } from '../../src/node/libp2p/patches.js'

const PEER = '12D3KooWJCAXuxZqFWi8PRffVaRcm5ndGEze9ifeqUWcUMsQh6WB'

describe('AutoNAT dial-back', () => {
  it('forces a new connection for a dial-back to a multiaddr', async () => {
    const calls: Array<{ target: string; force: boolean | undefined }> = []
    const connectionManager = {
      openConnection(target: unknown, options: { force?: boolean } = {}) {
        calls.push({ target: String(target), force: options.force })
        return Promise.reject(new Error('no network in this test'))
      },
      getConnections: () => [],
    }
    const service = autoNATService()({
      connectionManager,
      logger: { forComponent: () => Object.assign(() => undefined, { error() {}, trace() {} }) },
    } as unknown as Parameters<ReturnType<typeof autoNATService>>[0]) as {
      components: { connectionManager: typeof connectionManager }
    }
    const cm = service.components.connectionManager
    const ma = multiaddr(`/ip4/11.0.0.11/tcp/4001/p2p/${PEER}`)
    await cm.openConnection(ma).catch(() => undefined)
    await cm.openConnection(ma, { force: false }).catch(() => undefined)
    await cm.openConnection(peerIdFromString(PEER)).catch(() => undefined)
    assert.deepEqual(calls, [
      { target: ma.toString(), force: true },
      { target: ma.toString(), force: true },
      { target: PEER, force: undefined },
    ])
    assert.deepEqual(cm.getConnections(), [])
  })
})
