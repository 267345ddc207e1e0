// The floods of `npm run bench -- abuse`, in the order they run, each named after the finding of
// issue 11 it reproduces. Adding one: write `(cx: FloodContext) => Promise<void>` in a module of
// this folder (it runs until cx.signal aborts) and list it here.
import { connSlots } from './conn.js'
import { dhtCards, dhtProviders } from './dht.js'
import { prekeyDrain, strangerRequests } from './dm.js'
import { junkTopics, gossipPartial } from './gossip.js'
import { mailboxJunk, mailboxSybil } from './mailbox.js'
import { syncBuffer } from './sync.js'
import type { Flood } from './flood.js'

export const FLOODS: readonly Flood[] = [
  {
    name: 'gossip-partial',
    describe:
      '#1: /meshsub/1.2.0 from fresh PeerIds, a length prefix at the limit, all but one byte',
    run: gossipPartial,
  },
  {
    name: 'junk-topics',
    describe: '#13: 1 MB gossipsub messages on random topics',
    run: junkTopics,
  },
  {
    name: 'dht-providers',
    describe: '#2: ADD_PROVIDER over /kith/kad/1.0.0 in a loop',
    run: dhtProviders,
  },
  {
    name: 'dht-cards',
    describe: '#2: PUT_VALUE of cards from fresh identities expiring in the year 3000',
    run: dhtCards,
  },
  {
    name: 'conn-slots',
    describe: '#3: idle connections from fresh PeerIds, paced under 50/s, past the limit',
    run: connSlots,
  },
  {
    name: 'mailbox-sybil',
    describe: '#9: fresh identities each filling their depositor quota for the honest contact',
    run: mailboxSybil,
  },
  {
    name: 'mailbox-junk',
    describe: '#5: 300 random bytes deposited for the honest contact, from strangers',
    run: mailboxJunk,
  },
  {
    name: 'stranger-requests',
    describe: '#5: fresh identities each starting a PQXDH session and writing',
    run: strangerRequests,
  },
  {
    name: 'prekey-drain',
    describe: '#11: one corrupted PREKEY frame resent on fresh streams',
    run: prekeyDrain,
  },
  {
    name: 'sync-buffer',
    describe: '#15: /kith/sync requests of 400 KiB sent slowly, never finished',
    run: syncBuffer,
  },
]
