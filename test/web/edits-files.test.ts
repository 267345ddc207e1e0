// Replies, edits, reactions, deletes and files in the web app, in real Chromium (Debian's
// /usr/bin/chromium via playwright-core, as test/web/chat.test.ts): two real daemons on 127.0.0.1
// (--no-mdns), each page logged in through `kith web`. Everything is done from Alice's page through
// each message's action menu and must show live on Bob's open page and in Bob's
// `kith messages --json`; a file Alice picks reaches Bob's page as a card that downloads the same
// bytes. Skipped only when Chromium is not installed.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'
import {
  json,
  jsonLines,
  startPair,
  stopAll,
  until,
  type Daemon,
  type MessageLine,
} from '../integration/harness.js'

const CHROMIUM = '/usr/bin/chromium'
/** NOTES.md: the flags Debian's Chromium needs headless here (no sandbox as root, no GPU). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
/** How long a page may take to show what a daemon did (generous: a loaded 2-core machine). */
const UI_TIMEOUT_MS = 60_000

/** Runs in the page (a string: this file has no DOM types): drags a 13-byte file over the chat
 *  and drops it, as the browser does for a file dragged from the desktop. */
const DROP = `(() => {
  const dt = new DataTransfer()
  dt.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }))
  const chat = document.querySelector('.chat')
  for (const type of ['dragover', 'drop']) {
    chat.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }))
  }
})()`

const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install chromium)`

describe('web app: replies, edits, reactions, deletes, files', { skip }, () => {
  const homes: string[] = []
  let alice: Daemon
  let bob: Daemon
  let browser: Browser
  let a: Page
  let b: Page

  const bobLine = async (pred: (m: MessageLine) => boolean) =>
    (await jsonLines<MessageLine>(bob.home, ['messages', alice.peerId])).find(pred)

  /** Opens `row`'s action menu and presses `action`. */
  async function act(row: Locator, action: string) {
    await row.locator('summary').click()
    await row.getByRole('button', { name: action, exact: true }).click()
  }

  before(async () => {
    execFileSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'ignore' })
    ;[alice, bob] = await startPair(homes)
    // Bob writes first (he holds Alice's invite): she has him as a contact once it lands.
    await json(bob.home, ['send', 'alice', 'hello alice'])
    await until('alice has bob as a contact', async () => {
      const cs = await json<{ peerId: string }[]>(alice.home, ['contacts', 'list'])
      return cs.some((c) => c.peerId === bob.peerId)
    })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    a = await (await browser.newContext()).newPage()
    b = await (await browser.newContext({ acceptDownloads: true })).newPage()
    for (const [p, d, name] of [
      [a, alice, 'Alice'],
      [b, bob, 'Bob'],
    ] as const) {
      p.setDefaultTimeout(UI_TIMEOUT_MS)
      const { url } = await json<{ url: string }>(d.home, ['web', '--no-open'])
      await p.goto(url)
      await p.getByLabel('Your name').fill(name)
      await p.getByRole('button', { name: 'Continue' }).click()
      await p.getByRole('navigation', { name: 'Main' }).waitFor()
    }
    await a.goto(`${alice.api}/#/chat/direct/${bob.peerId}`)
    await b.goto(`${bob.api}/#/chat/direct/${alice.peerId}`)
    await a.locator('.msg.in', { hasText: 'hello alice' }).waitFor()
  })

  after(async () => {
    await browser?.close()
    stopAll(homes)
  })

  it('Reply: the quote bar, then "↪ reply to …" on both pages and replyTo in Bob’s JSON', async () => {
    const hello = a.locator('.msg.in', { hasText: 'hello alice' })
    const helloId = (await hello.getAttribute('data-id')) ?? ''
    await act(hello, 'Reply')
    await a.locator('.quote-bar', { hasText: 'hello alice' }).waitFor()
    await a.getByLabel('Message', { exact: true }).fill('a reply <b>not bold</b>')
    await a.getByLabel('Message', { exact: true }).press('Enter')
    assert.equal(await a.locator('.quote-bar').count(), 0, 'the quote bar is gone once sent')
    const onBob = b.locator('.msg.in', { hasText: 'a reply <b>not bold</b>' })
    await onBob.locator('.quote', { hasText: '↪ reply to you: hello alice' }).waitFor()
    assert.equal(await onBob.locator('b').count(), 0, 'a peer’s text is text, not HTML')
    const line = await until('bob stores the reply', () =>
      bobLine((m) => m.text === 'a reply <b>not bold</b>'),
    )
    assert.equal(line.replyTo, helloId)
  })

  it('Edit: Alice edits her message; Bob sees the new text and "(edited)" live', async () => {
    const mine = a.locator('.msg.out', { hasText: 'a reply <b>not bold</b>' })
    await act(mine, 'Edit')
    const box = a.getByLabel('Message', { exact: true })
    assert.equal(await box.inputValue(), 'a reply <b>not bold</b>', 'the input holds the text')
    await box.fill('a reply, edited')
    await a.getByRole('button', { name: 'Save' }).click()
    await a.locator('.msg.out', { hasText: 'a reply, edited' }).getByText('(edited)').waitFor()
    await b.locator('.msg.in', { hasText: 'a reply, edited' }).getByText('(edited)').waitFor()
    const line = await until('bob stores the edit', () =>
      bobLine((m) => m.text === 'a reply, edited' && typeof m.editedAt === 'number'),
    )
    assert.ok(line.replyTo !== null, 'still a reply')
  })

  it('React: 👍 counted under the message on both pages; pressing yours again removes it', async () => {
    const mine = a.locator('.msg.out', { hasText: 'a reply, edited' })
    await act(mine, 'React 👍')
    const own = mine.locator('.reactions button[data-emoji="👍"]')
    await own.waitFor()
    assert.equal(await own.getAttribute('aria-pressed'), 'true')
    assert.match((await own.textContent()) ?? '', /👍 1/)
    const theirs = b.locator('.msg.in', { hasText: 'a reply, edited' }).locator('.reactions')
    await theirs.getByText('👍 1').waitFor()
    await until('bob stores the reaction', () =>
      bobLine((m) => m.text === 'a reply, edited' && m.reactions?.['👍']?.[0] === alice.peerId),
    )
    await own.click() // toggles Alice's own reaction off
    await until('the reaction is gone on bob’s page', async () => (await theirs.count()) === 0)
    await until('bob stores the removal', () =>
      bobLine((m) => m.text === 'a reply, edited' && Object.keys(m.reactions ?? {}).length === 0),
    )
  })

  it('Delete for everyone from Alice’s page; Delete for me on Bob’s stays on his side', async () => {
    await a.getByLabel('Message', { exact: true }).fill('soon gone')
    await a.getByLabel('Message', { exact: true }).press('Enter')
    const row = a.locator('.msg.out', { hasText: 'soon gone' })
    await row.waitFor()
    await b.locator('.msg.in', { hasText: 'soon gone' }).waitFor()
    const id = (await row.getAttribute('data-id')) ?? ''
    await act(row, 'Delete for everyone')
    await a.locator(`.msg[data-id="${id}"]`, { hasText: 'This message was deleted' }).waitFor()
    await b.locator(`.msg[data-id="${id}"]`, { hasText: 'This message was deleted' }).waitFor()
    const line = await until('bob stores the delete', () =>
      bobLine((m) => m.id === id && m.deleted === true),
    )
    assert.equal(line.text, '')
    // Bob deletes Alice's first message for himself only.
    const hello = b.locator('.msg.out', { hasText: 'hello alice' })
    const helloId = (await hello.getAttribute('data-id')) ?? ''
    await act(hello, 'Delete for me')
    await b.locator(`.msg[data-id="${helloId}"]`, { hasText: 'This message was deleted' }).waitFor()
    await until('bob stores it deleted', () =>
      bobLine((m) => m.id === helloId && m.deleted === true),
    )
    const alices = await jsonLines<MessageLine>(alice.home, ['messages', bob.peerId])
    assert.equal(alices.find((m) => m.id === helloId)?.text, 'hello alice', 'Alice keeps hers')
  })

  it('File: Alice picks a file; Bob’s page shows the card with progress and downloads the bytes', async () => {
    const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 256))
    await a.locator('input[type="file"]').setInputFiles({
      name: 'notes <1>.bin',
      mimeType: 'application/octet-stream',
      buffer: bytes,
    })
    await a.locator('.msg.out .file-card', { hasText: 'notes _1_.bin' }).waitFor()
    const card = b.locator('.msg.in .file-card', { hasText: 'notes _1_.bin' })
    await card.waitFor()
    assert.match((await card.textContent()) ?? '', /195\.3 KB/)
    // Under AUTO_DOWNLOAD_MAX_BYTES it arrives by itself: the `file` events fill the bar.
    await b.locator('.msg.in .file-card[data-state="done"]').waitFor()
    assert.equal(await card.locator('progress').getAttribute('value'), String(bytes.length))
    const [download] = await Promise.all([
      b.waitForEvent('download'),
      card.getByRole('button', { name: 'Download' }).click(),
    ])
    assert.equal(download.suggestedFilename(), 'notes _1_.bin')
    assert.deepEqual(readFileSync(await download.path()), bytes, 'the same bytes')
    const line = await until('bob has the file line', () => bobLine((m) => m.kind === 'file'))
    const headers = await b.evaluate(async (id) => {
      const r = await fetch(`/v1/files/${id}/content`)
      return [r.headers.get('content-disposition'), r.headers.get('x-content-type-options')]
    }, line.file?.fileId ?? '')
    assert.match(headers[0] ?? '', /^attachment;/)
    assert.equal(headers[1], 'nosniff')
  })

  it('File: dropping a file onto the chat sends it too', async () => {
    // A real drag from the desktop cannot be scripted: the page gets the DragEvent a drop makes.
    await a.evaluate(DROP)
    await b.locator('.msg.in .file-card[data-state="done"]', { hasText: 'dropped.txt' }).waitFor()
    await until('bob has the dropped file', () =>
      bobLine((m) => m.kind === 'file' && m.file?.name === 'dropped.txt' && m.file.size === 13),
    )
  })

  it('File: a received image is previewed in its card once here; an SVG is not', async () => {
    // A 1×1 PNG (RFC 2083 layout: signature, IHDR, IDAT, IEND).
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
      'base64',
    )
    await a.locator('input[type="file"]').setInputFiles({
      name: 'dot.png',
      mimeType: 'image/png',
      buffer: png,
    })
    const img = b.getByAltText('Preview of dot.png')
    await img.waitFor()
    await until('the preview decoded', async () =>
      (await img.evaluate((el: { naturalWidth: number }) => el.naturalWidth)) === 1
        ? true
        : undefined,
    )
    await a.locator('input[type="file"]').setInputFiles({
      name: 'pic.svg',
      mimeType: 'image/svg+xml',
      buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'),
    })
    await b.locator('.msg.in .file-card[data-state="done"]', { hasText: 'pic.svg' }).waitFor()
    assert.equal(await b.getByAltText('Preview of pic.svg').count(), 0, 'no preview of an SVG')
  })
})
