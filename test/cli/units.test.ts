// Pure pieces of the CLI: home resolution, exit codes, error lines, --api parsing.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { resolveHome } from '../../src/cli/home.js'
import { errorLine, exitCodeFor, UsageError } from '../../src/cli/output.js'
import { parseApiAddress } from '../../src/cli/commands/node.js'
import { findContact } from '../../src/cli/commands/messages.js'
import { DaemonNotRunningError, DeliveryTimeoutError } from '../../src/api/client.js'
import { ContactNotFoundError } from '../../src/service/errors.js'
import { StoreNotFoundError } from '../../src/store/errors.js'

describe('CLI units', () => {
  it('resolves the home: --home, then KITH_HOME, then XDG_DATA_HOME/kith, then ~/.local/share', () => {
    const home = () => '/home/u'
    assert.equal(resolveHome('/x', { KITH_HOME: '/k' }, home), '/x')
    assert.equal(resolveHome(undefined, { KITH_HOME: '/k', XDG_DATA_HOME: '/d' }, home), '/k')
    assert.equal(resolveHome(undefined, { XDG_DATA_HOME: '/d' }, home), '/d/kith')
    // A relative XDG_DATA_HOME is invalid (XDG Base Directory spec) and ignored.
    assert.equal(
      resolveHome(undefined, { XDG_DATA_HOME: 'rel' }, home),
      '/home/u/.local/share/kith',
    )
    assert.equal(resolveHome(undefined, {}, home), '/home/u/.local/share/kith')
    assert.equal(resolveHome('', { KITH_HOME: '' }, home), '/home/u/.local/share/kith')
  })

  it('maps errors to the contract’s exit codes', () => {
    assert.equal(exitCodeFor(new UsageError('x')), 2)
    assert.equal(exitCodeFor(new DaemonNotRunningError('x')), 3)
    assert.equal(exitCodeFor(new ContactNotFoundError('x')), 4)
    assert.equal(exitCodeFor(new StoreNotFoundError('x')), 4)
    assert.equal(exitCodeFor(new DeliveryTimeoutError('x', 'id', 'sent')), 5)
    assert.equal(exitCodeFor(new Error('x')), 1)
    assert.equal(exitCodeFor('not an error'), 1)
  })

  it('prints errors as one line `Name: message`', () => {
    assert.equal(
      errorLine(new ContactNotFoundError('no contact "bob"')),
      'ContactNotFound: no contact "bob"',
    )
    assert.equal(errorLine(new UsageError('a\n  b')), 'UsageError: a b')
  })

  it('accepts only 127.0.0.1 (or localhost) for --api', () => {
    assert.deepEqual(parseApiAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 })
    assert.deepEqual(parseApiAddress('localhost:8080'), { host: '127.0.0.1', port: 8080 })
    assert.deepEqual(parseApiAddress('7000'), { host: '127.0.0.1', port: 7000 })
    for (const bad of ['0.0.0.0:1', '[::1]:1', '127.0.0.1:70000', 'x', '127.0.0.1:'])
      assert.throws(() => parseApiAddress(bad), UsageError)
  })

  it('a PeerId argument means that PeerId, even if another contact is named like it', () => {
    const real = { name: 'bob', peerId: '12D3KooWbob' }
    const impostor = { name: '12D3KooWbob', peerId: '12D3KooWeve' }
    // The impostor comes first, as an older store's row order might put it.
    assert.equal(findContact([impostor, real], '12D3KooWbob'), real)
    assert.equal(findContact([impostor, real], 'bob'), real)
    assert.equal(findContact([impostor, real], '12D3KooWeve'), impostor)
    assert.equal(findContact([impostor, real], 'nobody'), undefined)
  })
})
