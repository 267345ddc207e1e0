// The one error table (src/api/error-table.ts): every error class the layers export is in it or
// deliberately answers 500; its exit codes and statuses are the ones docs/cli.md names and the
// API's own HttpErrors send; toHttpError and the CLI's exitCodeFor both follow it; and the one base
// (core/errors.ts defineError) gives every error a type guard by name.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  ERROR_TABLE,
  INTERNAL_ERRORS,
  exitCodeForName,
  statusForName,
} from '../../src/api/error-table.js'
import { toHttpError } from '../../src/api/errors.js'
import { exitCodeFor, UsageError } from '../../src/cli/output.js'
import { DaemonNotRunningError, DeliveryTimeoutError } from '../../src/api/client.js'
import { DecryptionError, KithError, MalformedMessageError } from '../../src/core/errors.js'
import { MailboxQuotaError } from '../../src/node/mailbox/errors.js'
import { ContactNotFoundError, GroupExistsError } from '../../src/service/errors.js'
import { FileTooLargeError } from '../../src/service/files/errors.js'
import { StoreNotFoundError } from '../../src/store/errors.js'
import { NotAvailableOnRelayError } from '../../src/daemon/relay-api.js'
import { MessageTooLongError } from '../../src/service/text.js'

const SRC = 'src'
/** Classes whose instances take their name from a constructor argument (not a fixed name). */
const DYNAMIC = new Set(['HttpError', 'ApiError', 'KithError', 'ServiceError'])

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return name === 'web' || name === 'pb' ? [] : walk(p)
    return p.endsWith('.ts') ? [p] : []
  })
}

/** The `.name` of every error class exported by a module under src/ (found by its source text:
 *  `export class X extends …Error…|define…`, then imported and constructed). */
async function exportedErrorNames(): Promise<Map<string, string>> {
  const found = new Map<string, string>() // error name → file
  const declares = /^export (?:abstract )?class \w+ extends [\w.]*(?:Error|define\w*)\b/m
  for (const file of walk(SRC).filter((f) => declares.test(readFileSync(f, 'utf8')))) {
    const mod = (await import(pathToFileURL(join(process.cwd(), file)).href)) as Record<
      string,
      unknown
    >
    for (const [key, value] of Object.entries(mod)) {
      if (typeof value !== 'function' || DYNAMIC.has(key)) continue
      if (!(value.prototype instanceof Error)) continue
      const err = Reflect.construct(value, ['x']) as Error
      found.set(err.name, file)
    }
  }
  return found
}

describe('the error table', () => {
  it('has every exported error class, or lists it as deliberately 500', async () => {
    const names = await exportedErrorNames()
    assert.ok(names.size > 100, `found only ${names.size} error classes`)
    const missing = [...names].filter(([n]) => !(n in ERROR_TABLE) && !INTERNAL_ERRORS.has(n))
    assert.deepEqual(missing, [], 'classify each in src/api/error-table.ts')
    const both = [...INTERNAL_ERRORS].filter((n) => n in ERROR_TABLE)
    assert.deepEqual(both, [], 'a name is either reported by name or internal')
    const stale = [...INTERNAL_ERRORS].filter((n) => !names.has(n))
    assert.deepEqual(stale, [], 'INTERNAL_ERRORS names no class that exists')
  })

  it('agrees with the exit codes and API statuses docs/cli.md names', () => {
    const doc = readFileSync('docs/cli.md', 'utf8').replace(/\s+/g, ' ')
    // `Name` (exit N) · `Name` (exit N, API S) · `Name: message` (exit N) · (`Name`, exit N)
    const forms = [
      /`([A-Z]\w+)(?::[^`]*)?` \(exit (\d)(?:, API (\d{3}))?/g,
      /\(`([A-Z]\w+)`, exit (\d)\)/g,
    ]
    let checked = 0
    for (const re of forms) {
      for (const [, name = '', exit, api] of doc.matchAll(re)) {
        assert.ok(name in ERROR_TABLE, `docs/cli.md names ${name}, the table does not`)
        assert.equal(exitCodeForName(name), Number(exit), `${name}: exit code`)
        const http = ERROR_TABLE[name]?.http
        if (api !== undefined && http !== undefined) assert.equal(http, Number(api), name)
        checked++
      }
    }
    assert.ok(checked >= 20, `only ${checked} documented codes found`)
  })

  it('is the table docs/cli.md prints, row for row', () => {
    const doc = readFileSync('docs/cli.md', 'utf8')
    const section = doc.slice(doc.indexOf('## Error names, exit codes and API statuses'))
    const documented = new Map<string, string>()
    for (const [, exit, http, names = ''] of section.matchAll(
      /^\| (\d) +\| (\d{3}|—) +\| (.*?) *\|$/gm,
    )) {
      for (const [, name = ''] of names.matchAll(/`(\w+)`/g))
        documented.set(name, `${exit} ${http}`)
    }
    const coded = new Map(
      Object.entries(ERROR_TABLE).map(([name, r]) => [name, `${r.exit} ${r.http ?? '—'}`]),
    )
    assert.deepEqual(new Map([...documented].sort()), new Map([...coded].sort()))
  })

  it('agrees with the statuses the API’s own HttpErrors send', () => {
    const sent = /(?:new HttpError|super)\(\s*(\d{3}),\s*'(\w+)'/g
    let checked = 0
    for (const file of walk('src/api')) {
      for (const [, status, name = ''] of readFileSync(file, 'utf8').matchAll(sent)) {
        assert.equal(statusForName(name), Number(status), `${file}: ${name}`)
        checked++
      }
    }
    assert.ok(checked >= 20, `only ${checked} HttpErrors found`)
  })

  it('drives toHttpError: a name in the table answers its status, any other error 500', () => {
    const answer = (err: unknown) => {
      const { status, body } = toHttpError(err)
      return [status, body.error]
    }
    assert.deepEqual(answer(new ContactNotFoundError('no contact')), [404, 'ContactNotFound'])
    assert.deepEqual(answer(new GroupExistsError('taken')), [409, 'GroupExists'])
    assert.deepEqual(answer(new FileTooLargeError('big')), [413, 'FileTooLarge'])
    assert.deepEqual(answer(new MalformedMessageError('bad')), [400, 'MalformedMessageError'])
    assert.deepEqual(answer(new DecryptionError('tag')), [500, 'InternalError'])
    // Their statuses were fields of the classes before the table; the table keeps them.
    assert.deepEqual(answer(new NotAvailableOnRelayError('relay')), [404, 'NotAvailableOnRelay'])
    assert.deepEqual(answer(new MessageTooLongError('long')), [400, 'MessageTooLong'])
    // Only a Kith error is reported by name: a foreign one that happens to share it is not.
    const foreign = Object.assign(new Error('x'), { name: 'ContactNotFound' })
    assert.deepEqual(answer(foreign), [500, 'InternalError'])
    assert.deepEqual(answer('thrown string'), [500, 'InternalError'])
  })

  it('drives the CLI’s exit codes', () => {
    assert.equal(exitCodeFor(new UsageError('x')), 2)
    assert.equal(exitCodeFor(new DaemonNotRunningError('x')), 3)
    assert.equal(exitCodeFor(new ContactNotFoundError('x')), 4)
    assert.equal(exitCodeFor(new StoreNotFoundError('x')), 4)
    assert.equal(exitCodeFor(new DeliveryTimeoutError('x', 'id', 'sent')), 5)
    assert.equal(exitCodeFor(new GroupExistsError('x')), 1)
    assert.equal(exitCodeFor(new DecryptionError('x')), 1)
    // An unknown name is a failure, whatever it ends with (the old rule matched /NotFound$/).
    assert.equal(exitCodeFor(Object.assign(new Error('x'), { name: 'ThingNotFound' })), 1)
  })
})

describe('the one error base', () => {
  it('makes every layer’s errors KithErrors with name = code and a by-name type guard', () => {
    const errs = [
      new ContactNotFoundError('a'),
      new StoreNotFoundError('b'),
      new MailboxQuotaError('total-bytes'),
    ]
    for (const e of errs) {
      assert.ok(e instanceof KithError)
      assert.equal(e.code, e.name)
    }
    const unknown: unknown = Object.assign(new Error('copy'), { name: 'MailboxQuotaError' })
    assert.ok(MailboxQuotaError.is(unknown)) // by name: works across module copies
    assert.ok(!MailboxQuotaError.is(new ContactNotFoundError('x')))
    const quota: unknown = new MailboxQuotaError('recipient-bytes')
    // The guard narrows to the subclass it is called on: `.quota` type-checks without a cast.
    if (MailboxQuotaError.is(quota)) assert.equal(quota.quota, 'recipient-bytes')
    else assert.fail('not narrowed')
  })
})
