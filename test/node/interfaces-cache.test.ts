// The memo of os.networkInterfaces() (src/node/connectivity/interfaces-cache.ts): one read per
// INTERFACES_CACHE_MS unless invalidated, a private copy per caller, and, installed, the
// `node:os` function libp2p calls through is the memoised one.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import os from 'node:os'
import {
  INTERFACES_CACHE_MS,
  installInterfacesCache,
  invalidateInterfaces,
  memoise,
} from '../../src/node/connectivity/interfaces-cache.js'

const IFACES = (addr: string): ReturnType<typeof os.networkInterfaces> => ({
  eth0: [
    {
      address: addr,
      netmask: '255.255.255.0',
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal: false,
      cidr: `${addr}/24`,
    },
  ],
})

describe('interfaces cache', () => {
  it(`one read per INTERFACES_CACHE_MS (${INTERFACES_CACHE_MS} ms); invalidate() reads again`, () => {
    let reads = 0
    let addr = '10.0.0.1'
    let t = 0
    const m = memoise(
      () => {
        reads++
        return IFACES(addr)
      },
      INTERFACES_CACHE_MS,
      () => t,
    )
    assert.equal(m.read().eth0![0]!.address, '10.0.0.1')
    addr = '10.0.0.2'
    t += INTERFACES_CACHE_MS - 1
    assert.equal(m.read().eth0![0]!.address, '10.0.0.1', 'cached within the TTL')
    assert.equal(reads, 1)
    m.invalidate()
    assert.equal(m.read().eth0![0]!.address, '10.0.0.2', 'a change seen at once')
    assert.equal(reads, 2)
    t += INTERFACES_CACHE_MS
    addr = '10.0.0.3'
    assert.equal(m.read().eth0![0]!.address, '10.0.0.3', 'read again after the TTL')
    assert.equal(reads, 3)
  })

  it('each caller gets its own copy', () => {
    const m = memoise(() => IFACES('10.0.0.1'))
    const a = m.read()
    a.eth0![0]!.address = 'mutated'
    delete a.eth0
    assert.equal(m.read().eth0![0]!.address, '10.0.0.1')
  })

  it('installed: os.networkInterfaces (what libp2p calls) is memoised, and stays correct', () => {
    const original = os.networkInterfaces
    installInterfacesCache()
    installInterfacesCache()
    assert.notEqual(os.networkInterfaces, original)
    invalidateInterfaces()
    assert.deepEqual(os.networkInterfaces(), original.call(os))
  })
})
