// The QR policy of `kith invite` / `kith verify` (src/cli/terminal-qr.ts; issue 14): no QR (and
// no escape code) unless stdout is a terminal; on a terminal the QR only if its widest row fits
// the reported width (80 columns when unknown), else a one-line hint naming both widths.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_TERMINAL_COLUMNS, terminalQr, visibleWidth } from '../../src/cli/terminal-qr.js'

const short = 'kith://' + 'A'.repeat(100)

void describe('terminal QR', () => {
  void it('nothing at all when stdout is not a terminal', async () => {
    assert.equal(await terminalQr(short, { isTTY: false, columns: 500 }), undefined)
  })

  void it('a QR that fits is shown; its widest row is within the width', async () => {
    const r = await terminalQr(short, { isTTY: true, columns: 80 })
    assert.ok(r !== undefined && 'qr' in r)
    const width = Math.max(...r.qr.split('\n').map(visibleWidth))
    assert.ok(width <= 80, `${width} columns`)
  })

  void it('one that does not fit is a hint naming both widths, at width W-1 but not at W', async () => {
    const r = await terminalQr(short, { isTTY: true, columns: 500 })
    assert.ok(r !== undefined && 'qr' in r)
    const width = Math.max(...r.qr.split('\n').map(visibleWidth))
    const at = await terminalQr(short, { isTTY: true, columns: width })
    assert.ok(at !== undefined && 'qr' in at, 'exactly as wide as the terminal fits')
    const narrow = await terminalQr(short, { isTTY: true, columns: width - 1 })
    assert.ok(narrow !== undefined && 'hint' in narrow)
    assert.match(narrow.hint, new RegExp(`needs ${width} columns, the terminal has ${width - 1}`))
    assert.ok(!narrow.hint.includes('\n'))
  })

  void it('an unknown width is taken as 80 columns', async () => {
    const long = 'kith://' + 'A'.repeat(1500)
    const r = await terminalQr(long, { isTTY: true, columns: undefined })
    assert.ok(r !== undefined && 'hint' in r)
    assert.match(r.hint, new RegExp(`the terminal has ${DEFAULT_TERMINAL_COLUMNS}`))
  })

  void it('visibleWidth does not count SGR sequences', () => {
    assert.equal(visibleWidth('\x1b[47m\x1b[30m ▄█ \x1b[0m'), 4)
  })
})
