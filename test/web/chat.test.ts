// The web app end to end in real Chromium (Debian's /usr/bin/chromium driven by playwright-core;
// never a downloaded browser): two real daemons on 127.0.0.1 (--no-mdns), each with its own
// browser context logged in through `kith web --no-open --json`. Onboarding, adding a contact by
// pasting a link, chat both ways live with receipts, a peer's HTML shown as text (and not run),
// reload, logout, a reused login code, a foreign Host, and Bob's page reconnecting after his
// daemon restarts, showing what arrived meanwhile. Skipped only when Chromium is not installed.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { request } from 'node:http'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { AxeBuilder } from '@axe-core/playwright'
import { decodeInviteLink, encodeInviteLink } from '../../src/core/wire/invite.js'
import {
  json,
  jsonLines,
  startDaemon,
  stopAll,
  stopDaemon,
  until,
  type Daemon,
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
const XSS = '<img src=x onerror=window.__pwned=1>'

/** Runs in the page (a string: this file has no DOM types): every control without an accessible
 *  name (label, aria-label, aria-labelledby, or text for buttons and links) or taken out of the tab
 *  order, as `tag#id "text"`. */
const UNLABELLED = `(() => {
  const out = []
  for (const el of document.querySelectorAll('input, textarea, select, button, a[href]')) {
    const named =
      (el.labels && el.labels.length > 0) ||
      (el.getAttribute('aria-label') || '').trim() !== '' ||
      el.hasAttribute('aria-labelledby') ||
      ((el.tagName === 'BUTTON' || el.tagName === 'A') && el.textContent.trim() !== '')
    const reachable = el.tabIndex >= 0 && !el.disabled
    if (!named || !reachable) out.push(el.tagName.toLowerCase() + '#' + el.id + ' "' + el.textContent.trim() + '"')
  }
  return out
})()`

const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install chromium)`

describe('web app in Chromium', { skip }, () => {
  const homes: string[] = []
  let alice: Daemon
  let bob: Daemon
  let carol: Daemon
  let browser: Browser
  let aliceCtx: BrowserContext
  let bobCtx: BrowserContext
  let a: Page
  let b: Page
  let aliceLogin = ''

  before(async () => {
    execFileSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'ignore' })
    alice = await startDaemon('alice')
    bob = await startDaemon('bob')
    homes.push(alice.home, bob.home)
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    aliceCtx = await browser.newContext()
    bobCtx = await browser.newContext()
    a = await aliceCtx.newPage()
    b = await bobCtx.newPage()
    for (const p of [a, b]) p.setDefaultTimeout(UI_TIMEOUT_MS)
  })

  after(async () => {
    await browser?.close()
    stopAll(homes)
  })

  const loginUrl = async (d: Daemon) =>
    (await json<{ url: string; expiresAt: number }>(d.home, ['web', '--no-open'])).url

  async function onboard(p: Page, d: Daemon, name: string): Promise<string> {
    const url = await loginUrl(d)
    await p.goto(url)
    await p.getByLabel('Your name').fill(name)
    await p.getByRole('button', { name: 'Continue' }).click()
    await p.getByRole('navigation', { name: 'Main' }).waitFor()
    assert.ok(!p.url().includes('code='), 'the code is gone from the address bar')
    return url
  }

  it('logs in with the one-time link and runs first run (choose your name)', async () => {
    aliceLogin = await onboard(a, alice, 'Alice')
    await onboard(b, bob, 'Bob')
    const profile = await json<{ name: string }>(alice.home, ['profile'])
    assert.equal(profile.name, 'Alice')
  })

  it('Alice adds Bob by pasting his link; Bob accepts her request', async () => {
    const { link } = await json<{ link: string }>(bob.home, ['invite'])
    await a.goto(`${alice.api}/#/contacts`)
    await a.getByLabel('Their invite link').fill(link)
    await a.getByLabel('Name (optional)').fill('bob')
    await a.getByRole('button', { name: 'Add contact' }).click()
    await a.getByText('Contact added.').waitFor()
    await a.getByRole('link', { name: 'bob', exact: true }).waitFor()
  })

  it('Alice sends from her page; Bob’s page shows it live; ✓✓ appears', async () => {
    // Bob has Alice's invite proof, so she is a contact on his side once her first message lands.
    await a.goto(`${alice.api}/#/chat/direct/${bob.peerId}`)
    await a.getByLabel('Message', { exact: true }).fill('hello bob from the page')
    await a.getByLabel('Message', { exact: true }).press('Enter')
    await a.locator('.msg.out', { hasText: 'hello bob from the page' }).waitFor()
    await until('bob has alice as a contact', async () => {
      const cs = await json<{ peerId: string }[]>(bob.home, ['contacts', 'list'])
      return cs.some((c) => c.peerId === alice.peerId)
    })
    await b.goto(`${bob.api}/#/chat/direct/${alice.peerId}`)
    await b.locator('.msg.in', { hasText: 'hello bob from the page' }).waitFor()
    await a
      .locator('.msg.out[data-status="delivered"], .msg.out[data-status="read"]', {
        hasText: 'hello bob from the page',
      })
      .waitFor()
    assert.match((await a.locator('.msg.out .ticks').first().textContent()) ?? '', /✓✓/)
    // Bob's open, visible chat marks it read: Alice sees "read".
    await a.locator('.msg.out[data-status="read"]').first().waitFor()
    // Live: a second message reaches Bob's already open page without a reload.
    await a.getByLabel('Message', { exact: true }).fill('second, live')
    await a.getByRole('button', { name: 'Send' }).click()
    await b.locator('.msg.in', { hasText: 'second, live' }).waitFor()
  })

  it('Bob answers from the CLI; Alice’s page shows it, a peer’s HTML as text only', async () => {
    await json(bob.home, ['send', alice.peerId, 'answer from the cli'])
    await a.locator('.msg.in', { hasText: 'answer from the cli' }).waitFor()
    await json(bob.home, ['send', alice.peerId, XSS])
    await a.locator('.msg.in .text', { hasText: XSS }).waitFor()
    assert.equal(await a.locator('.messages img').count(), 0, 'no <img> was made')
    assert.equal(await a.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned), undefined)
    // The conversation list shows the last message as text too.
    await a.goto(`${alice.api}/#/`)
    await a.locator('.row .last', { hasText: XSS }).waitFor()
    assert.equal(await a.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned), undefined)
  })

  it('verification: the safety number as 12 groups of 5; typing Bob’s marks him verified', async () => {
    const { safetyNumber } = await json<{ safetyNumber: string }>(bob.home, [
      'verify',
      alice.peerId,
    ])
    await a.goto(`${alice.api}/#/contacts/${bob.peerId}`)
    const groups = a.locator('ol.safety li')
    await groups.first().waitFor()
    const shown = await groups.allTextContents()
    assert.equal(shown.length, 12)
    for (const g of shown) assert.match(g, /^\d{5}$/)
    assert.equal(shown.join(''), safetyNumber.replace(/\D/g, ''), 'both sides show one number')
    await a.getByRole('img', { name: 'QR code of the safety number' }).waitFor()
    await a.getByLabel('The number your contact’s device shows').fill(safetyNumber)
    await a.getByRole('button', { name: 'Check and mark verified' }).click()
    await a.getByText('The numbers match: verified.').waitFor()
    const cs = await json<{ peerId: string; verified: boolean }[]>(alice.home, ['contacts', 'list'])
    assert.equal(cs.find((c) => c.peerId === bob.peerId)?.verified, true)
  })

  it('a stranger’s first message is a request: accepted and renamed on Alice’s page', async () => {
    carol = await startDaemon('carol')
    homes.push(carol.home)
    // Alice's invite without its secret: what anyone holding her PeerId and bundle can build.
    const d = decodeInviteLink(
      (await json<{ link: string }>(alice.home, ['invite', '--full'])).link,
    )
    const stripped = encodeInviteLink({
      peerId: d.peerId,
      addrs: d.addrs,
      bundle: d.bundle!,
      name: d.name,
    })
    await json(carol.home, ['contacts', 'add', stripped, '--name', 'alice'])
    await json(carol.home, ['send', 'alice', 'hello from a stranger'])
    await until('alice holds the request', async () =>
      (await json<{ peerId: string }[]>(alice.home, ['requests'])).some(
        (r) => r.peerId === carol.peerId,
      ),
    )
    await a.goto(`${alice.api}/#/`)
    await a.getByRole('link', { name: /Contacts.*1 message request/ }).click()
    const requests = a.getByRole('region', { name: 'Message requests' })
    await requests.getByText('1 message').waitFor()
    await requests.getByRole('button', { name: 'Accept' }).click()
    await a.getByText('Accepted.').waitFor()
    const c = await until('carol is a contact', async () =>
      (await json<{ name: string; peerId: string }[]>(alice.home, ['contacts', 'list'])).find(
        (x) => x.peerId === carol.peerId,
      ),
    )
    await a.getByRole('button', { name: `Rename ${c.name}` }).click()
    await a.getByLabel(`New name for ${c.name}`).fill('carol')
    await a.getByRole('button', { name: 'Save' }).click()
    await a.getByRole('link', { name: 'carol', exact: true }).waitFor()
    const history = await jsonLines<{ text: string }>(alice.home, ['messages', 'carol'])
    assert.ok(
      history.some((m) => m.text === 'hello from a stranger'),
      'the held message moved in',
    )
  })

  it('a group of three made on Alice’s page: Bob’s page and Carol’s CLI get its messages', async () => {
    await a.goto(`${alice.api}/#/groups`)
    await a.getByLabel('New group’s name').fill('trio')
    await a.getByRole('button', { name: 'Create group' }).click()
    const trio = a.getByRole('region', { name: 'Group trio' })
    for (const who of ['bob', 'carol']) {
      await trio.getByLabel('Add a contact').selectOption({ label: who })
      await trio.getByRole('button', { name: 'Add', exact: true }).click()
      await trio.locator('li', { hasText: who }).waitFor()
    }
    await trio.getByText('admin').waitFor()
    const [g] = await json<{ groupId: string; members: string[] }[]>(alice.home, ['group', 'list'])
    assert.equal(g?.members.length, 3)
    const gid = g?.groupId ?? ''
    await until('bob is in the group', async () => {
      const gs = await json<{ groupId: string }[]>(bob.home, ['group', 'list'])
      return gs.some((x) => x.groupId === gid)
    })
    await a.goto(`${alice.api}/#/chat/group/${gid}`)
    await a.getByLabel('Message', { exact: true }).fill('hello trio')
    await a.getByLabel('Message', { exact: true }).press('Enter')
    await b.goto(`${bob.api}/#/chat/group/${gid}`)
    await b.locator('.msg.in', { hasText: 'hello trio' }).waitFor()
    await b.getByLabel('Message', { exact: true }).fill('bob to the trio')
    await b.getByLabel('Message', { exact: true }).press('Enter')
    await a.locator('.msg.in', { hasText: 'bob to the trio' }).waitFor()
    await until('carol got both', async () => {
      const ms = await jsonLines<{ text: string }>(carol.home, ['group', 'messages', gid])
      const texts = ms.map((m) => m.text)
      return texts.includes('hello trio') && texts.includes('bob to the trio')
    })
    await stopDaemon(carol)
  })

  it('every control on every screen has a name and is reachable by keyboard; axe finds nothing serious, light or dark', async () => {
    for (const route of [
      '#/',
      `#/chat/direct/${bob.peerId}`,
      '#/contacts',
      `#/contacts/${bob.peerId}`,
      '#/groups',
      '#/settings',
    ]) {
      await a.goto(`${alice.api}/${route}`)
      await a.waitForLoadState('networkidle')
      const bad = await a.evaluate<string[]>(UNLABELLED)
      assert.deepEqual(bad, [], route)
      // axe-core (WCAG 2.x A/AA rules) in the same browser: no serious or critical violation.
      for (const colorScheme of ['light', 'dark'] as const) {
        await a.emulateMedia({ colorScheme })
        const { violations } = await new AxeBuilder({ page: a })
          .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
          .analyze()
        const severe = violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
        assert.deepEqual(severe, [], `${route} ${colorScheme}`)
      }
      await a.emulateMedia({ colorScheme: null })
    }
  })

  it('a reload keeps the session; the used login link is refused', async () => {
    await a.reload()
    await a.getByRole('navigation', { name: 'Main' }).waitFor()
    const other = await browser.newContext()
    try {
      const p = await other.newPage()
      await p.goto(aliceLogin)
      await p.getByText('That login link was already used or has expired.').waitFor()
      assert.equal(await p.getByRole('navigation', { name: 'Main' }).count(), 0)
    } finally {
      await other.close()
    }
  })

  it('refuses the app under a foreign Host (DNS rebinding)', async () => {
    const port = new URL(alice.api).port
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${alice.api}/`, { headers: { Host: `rebind.example:${port}` } })
      req.on('response', (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })
    assert.equal(status, 421)
  })

  it('Bob’s page goes offline when his daemon stops, reconnects, and shows what came meanwhile', async () => {
    await b.goto(`${bob.api}/#/chat/direct/${alice.peerId}`)
    await b.locator('.msg.in', { hasText: 'second, live' }).waitFor()
    assert.equal(await stopDaemon(bob), 0)
    await b.getByRole('alert').filter({ hasText: 'Offline' }).waitFor()
    await json(alice.home, ['send', bob.peerId, 'sent while bob was away'])
    const api = bob.api
    // The daemon takes the API port of its last run again: the page's origin is still its own.
    bob = await startDaemon('bob', bob.home, bob.port)
    assert.equal(bob.api, api)
    await b.locator('.msg.in', { hasText: 'sent while bob was away' }).waitFor()
    assert.equal(await b.getByRole('alert').filter({ hasText: 'Offline' }).count(), 0)
  })

  it('logout ends the session: the page shows the login, the API refuses it', async () => {
    await a.goto(`${alice.api}/#/settings`)
    await a.getByRole('button', { name: 'Log out of this browser' }).click()
    await a.getByText('You are not logged in.').waitFor()
    const status = await a.evaluate(async () => (await fetch('/v1/contacts')).status)
    assert.equal(status, 401)
    await a.reload()
    await a.getByText('You are not logged in.').waitFor()
  })
})
