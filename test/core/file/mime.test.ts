// The manifest's media type (src/core/file/mime.ts): WHATWG MIME Sniffing signatures, the
// extension table for text, '' for anything else — never HTML or SVG, whatever the name says.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { sniffMime } from '../../../src/core/file/index.js'

const b = (...xs: (number | string)[]) =>
  Uint8Array.from(
    xs.flatMap((x) => (typeof x === 'string' ? [...x].map((c) => c.charCodeAt(0)) : [x])),
  )

void describe('sniffMime', () => {
  void it('signatures win over the name', () => {
    assert.equal(sniffMime(b(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0), 'x.txt'), 'image/png')
    assert.equal(sniffMime(b(0xff, 0xd8, 0xff, 0xe0), 'photo'), 'image/jpeg')
    assert.equal(sniffMime(b('GIF89a'), 'a.gif'), 'image/gif')
    assert.equal(sniffMime(b('RIFF', 1, 2, 3, 4, 'WEBPVP8 '), 'a'), 'image/webp')
    assert.equal(sniffMime(b('RIFF', 1, 2, 3, 4, 'WAVEfmt '), 'a'), 'audio/wav')
    assert.equal(sniffMime(b(0, 0, 0, 0x20, 'ftypisom'), 'clip'), 'video/mp4')
    assert.equal(sniffMime(b('%PDF-1.7'), 'doc.bin'), 'application/pdf')
    assert.equal(sniffMime(b('PK', 3, 4, 0), 'a.docx'), 'application/zip')
  })

  void it('text by extension; unknown, HTML and SVG stay empty', () => {
    assert.equal(sniffMime(b('hello'), 'notes.TXT'), 'text/plain')
    assert.equal(sniffMime(b('{}'), 'a.json'), 'application/json')
    assert.equal(sniffMime(b('<html>'), 'page.html'), '')
    assert.equal(sniffMime(b('<svg xmlns='), 'logo.svg'), '')
    assert.equal(sniffMime(new Uint8Array(0), 'empty'), '')
    assert.equal(sniffMime(b(0x89, 'PN'), '.txt'), '', 'a dot file has no extension; short head')
  })
})
