// Screenshots of the web app for docs/web.md and the README: two real daemons on 127.0.0.1 with a
// short conversation and a group, Debian's Chromium (playwright-core), light and dark, desktop and
// phone width. Writes docs/web/*.png. Run: node --import tsx --import ./src/platform/polyfill.ts
// scripts/web-screenshots.ts (needs /usr/bin/chromium; builds the app first).
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { chromium, type Page } from 'playwright-core'
import { json, startDaemon, stopAll, until, type Daemon } from '../test/integration/harness.js'

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const OUT = 'docs/web'
const DESKTOP = { width: 1200, height: 720 }
const PHONE = { width: 375, height: 720 }

async function main(): Promise<void> {
  execFileSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'inherit' })
  mkdirSync(OUT, { recursive: true })
  const homes: string[] = []
  const alice = await startDaemon('alice')
  const bob = await startDaemon('bob')
  homes.push(alice.home, bob.home)
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS })
  try {
    await json(alice.home, ['profile', '--name', 'Alice'])
    await json(bob.home, ['profile', '--name', 'Bob'])
    const { link } = await json<{ link: string }>(bob.home, ['invite'])
    await json(alice.home, ['contacts', 'add', link, '--name', 'Bob'])
    const say = async (from: Daemon, to: Daemon, text: string) => {
      await json(from.home, ['send', to.peerId, text, '--wait'])
    }
    await say(alice, bob, 'Hi Bob! Are we still on for climbing on Saturday?')
    await until('bob has alice', async () => {
      const cs = await json<{ peerId: string }[]>(bob.home, ['contacts', 'list'])
      return cs.some((c) => c.peerId === alice.peerId)
    })
    await json(bob.home, ['contacts', 'rename', alice.peerId, 'Alice'])
    await say(bob, alice, 'Yes! 10am at the north wall?')
    await say(alice, bob, 'Perfect. I’ll bring the rope and some coffee ☕')
    await say(bob, alice, 'Great, see you there.\n(I might be 5 minutes late.)')
    const g = await json<{ groupId: string }>(alice.home, ['group', 'create', 'Climbing club'])
    await json(alice.home, ['group', 'add', g.groupId, 'Bob'])
    await json(alice.home, ['group', 'send', g.groupId, 'Welcome to the club!'])

    const shots: [string, { width: number; height: number }, 'light' | 'dark', string][] = [
      ['chat-desktop-light', DESKTOP, 'light', `#/chat/direct/${bob.peerId}`],
      ['chat-desktop-dark', DESKTOP, 'dark', `#/chat/direct/${bob.peerId}`],
      ['chat-phone-light', PHONE, 'light', `#/chat/direct/${bob.peerId}`],
      ['chat-phone-dark', PHONE, 'dark', `#/chat/direct/${bob.peerId}`],
      ['chats-phone-dark', PHONE, 'dark', '#/'],
      ['contacts-desktop-light', DESKTOP, 'light', '#/contacts'],
      ['verify-phone-light', PHONE, 'light', `#/contacts/${bob.peerId}`],
      ['groups-desktop-dark', DESKTOP, 'dark', '#/groups'],
    ]
    for (const [name, viewport, colorScheme, route] of shots) {
      const ctx = await browser.newContext({ viewport, colorScheme })
      const page: Page = await ctx.newPage()
      const { url } = await json<{ url: string }>(alice.home, ['web', '--no-open'])
      await page.goto(url)
      await page.getByRole('button', { name: 'Continue' }).click()
      await page.getByRole('navigation', { name: 'Main' }).waitFor()
      await page.goto(`${alice.api}/${route}`)
      await page.waitForLoadState('networkidle')
      await page.locator('img').evaluateAll(() => undefined) // QR images are data: URLs
      await page.screenshot({ path: `${OUT}/${name}.png` })
      console.log(`${OUT}/${name}.png`)
      await ctx.close()
    }
  } finally {
    await browser.close()
    stopAll(homes)
  }
}

await main()
