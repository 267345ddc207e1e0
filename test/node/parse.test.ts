// parsePeer's cache (src/node/parse.ts, issue 17): the same PeerId object for the same string, a
// bounded size (the oldest entry dropped at PARSED_PEERS_MAX + 1), and bad input still refused.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PARSED_PEERS_MAX, parsePeer } from '../../src/node/parse.js'

async function peerStrings(n: number): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++)
    out.push(peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString())
  return out
}

test('parsePeer returns the cached PeerId for a string it parsed, equal to a fresh parse', async () => {
  const [p] = await peerStrings(1)
  const a = parsePeer('peer', p!)
  assert.equal(parsePeer('peer', p!), a)
  assert.equal(a.toString(), p)
})

test('parsePeer keeps at most PARSED_PEERS_MAX PeerIds: the oldest is parsed again at MAX+1', async () => {
  const peers = await peerStrings(PARSED_PEERS_MAX + 1)
  const first = parsePeer('peer', peers[0]!)
  for (const p of peers.slice(1)) parsePeer('peer', p)
  const again = parsePeer('peer', peers[0]!)
  assert.notEqual(again, first, 'the oldest entry was dropped')
  assert.ok(again.equals(first))
  assert.equal(
    parsePeer('peer', peers[PARSED_PEERS_MAX]!),
    parsePeer('peer', peers[PARSED_PEERS_MAX]!),
  )
})

test('parsePeer refuses what is not a PeerId, naming the field, and caches nothing for it', () => {
  assert.throws(() => parsePeer('contact', 'not-a-peer'), { name: 'TypeError', message: /contact/ })
  assert.throws(() => parsePeer('contact', 'not-a-peer'), { name: 'TypeError' })
})
