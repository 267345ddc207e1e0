// The auto-download budget (src/service/files/index.ts autoDownloadAllowed): an accepted contact's
// small files download by themselves only within AUTO_DOWNLOAD_PER_SENDER_BYTES a day, and all
// senders' within AUTO_DOWNLOAD_TOTAL_BYTES; older, cancelled, outgoing or large files don't count.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { autoDownloadAllowed } from '../../src/service/files/index.js'
import {
  AUTO_DOWNLOAD_MAX_BYTES,
  AUTO_DOWNLOAD_PER_SENDER_BYTES,
  AUTO_DOWNLOAD_TOTAL_BYTES,
  AUTO_DOWNLOAD_WINDOW_MS,
} from '../../src/service/files/limits.js'
import type { FileRow } from '../../src/store/files.js'

const NOW = 10 * AUTO_DOWNLOAD_WINDOW_MS
let n = 0
const row = (sender: string, size: number, over: Partial<FileRow> = {}): FileRow => ({
  fileId: `f${n++}`,
  messageId: `m${n}`,
  conversation: sender,
  sender,
  direction: 'in',
  name: 'x',
  size,
  sha256: '',
  manifest: new Uint8Array(0),
  state: 'pending',
  createdAt: NOW - 1_000,
  ...over,
})

describe('auto-download budget', () => {
  it(`a sender gets AUTO_DOWNLOAD_PER_SENDER_BYTES (${AUTO_DOWNLOAD_PER_SENDER_BYTES}) a day, not one byte more`, () => {
    const per = AUTO_DOWNLOAD_MAX_BYTES
    const count = AUTO_DOWNLOAD_PER_SENDER_BYTES / per
    const earlier = Array.from({ length: count - 1 }, () => row('mallory', per))
    assert.equal(
      autoDownloadAllowed(earlier, row('mallory', per), NOW),
      true,
      'exactly at the budget',
    )
    assert.equal(autoDownloadAllowed(earlier, row('mallory', per + 1), NOW), false, 'one byte over')
    // Another sender is not held back by mallory's files.
    assert.equal(autoDownloadAllowed(earlier, row('alice', per), NOW), true)
  })

  it('older than the window, cancelled, outgoing and too large files do not count', () => {
    const per = AUTO_DOWNLOAD_MAX_BYTES
    const count = AUTO_DOWNLOAD_PER_SENDER_BYTES / per
    const noise = [
      ...Array.from({ length: count }, () =>
        row('mallory', per, { createdAt: NOW - AUTO_DOWNLOAD_WINDOW_MS - 1 }),
      ),
      ...Array.from({ length: count }, () => row('mallory', per, { state: 'cancelled' })),
      ...Array.from({ length: count }, () => row('mallory', per, { direction: 'out' })),
      row('mallory', 100 * per),
    ]
    assert.equal(autoDownloadAllowed(noise, row('mallory', per), NOW), true)
  })

  it(`all senders together get AUTO_DOWNLOAD_TOTAL_BYTES (${AUTO_DOWNLOAD_TOTAL_BYTES}) a day`, () => {
    const per = AUTO_DOWNLOAD_MAX_BYTES
    // Many identities, each under its own budget, together at the total.
    const many = Array.from({ length: AUTO_DOWNLOAD_TOTAL_BYTES / per - 1 }, (_, i) =>
      row(`sybil${i}`, per),
    )
    assert.equal(autoDownloadAllowed(many, row('another', per), NOW), true)
    assert.equal(autoDownloadAllowed(many, row('another', per + 1), NOW), false)
  })
})
