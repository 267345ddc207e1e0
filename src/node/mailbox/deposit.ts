// What a mailbox holds (./server.ts serves the streams): one deposit checked — never mail for the
// mailbox itself or a peer's own, a well-formed envelope (./validate.ts), the policy's yes — and
// put into the holdings under their quotas, or refused with a reason the depositor reports. It
// owns the mailbox's counters too. It never opens an envelope and knows nothing of streams.
import debug from 'debug'
import { MailboxEnvelopeError, MailboxQuotaError, MailboxRefusedError } from './errors.js'
import type { MailboxHoldings, MailboxPolicy } from './types.js'
import { validateEnvelope } from './validate.js'
import { asError } from '../stream/open.js'

const log = debug('kith:node:mailbox')

/** Counters the service reports (MailboxMetrics without usage). */
export class MailboxCounters {
  depositsIn = 0
  depositsOut = 0
  readonly refused = new Map<string, number>()
  readonly refusedQuota = new Map<string, number>()
  fetches = 0
  released = 0
  confirmed = 0
  expired = 0
  readonly rejected = new Map<string, number>()

  count(map: Map<string, number>, name: string): void {
    map.set(name, (map.get(name) ?? 0) + 1)
  }
}

/** What a deposit needs of the mailbox (MailboxServerOptions extends it). */
export interface DepositOptions {
  /** This node's PeerId (string). */
  self: string
  holdings: MailboxHoldings
  policy: () => MailboxPolicy
  now: () => number
}

/** The DepositResult for one deposit: held, or a refusal the depositor reports. */
export async function acceptDeposit(
  o: DepositOptions,
  counters: MailboxCounters,
  recipient: string,
  depositor: string,
  envelope: Uint8Array,
  prefix: string,
): Promise<{ error: string; detail: string }> {
  let refusal: Error | undefined
  if (recipient === o.self) {
    refusal = new MailboxRefusedError('a mailbox holds no mail for itself')
  } else if (recipient === depositor) {
    // Issue 11 finding 5: a peer stored 17 MB "for itself". Mail is always for someone else.
    refusal = new MailboxRefusedError('a mailbox holds no mail a peer deposits for itself')
  } else {
    try {
      validateEnvelope(envelope)
    } catch (err) {
      if (!MailboxEnvelopeError.is(err)) throw err
      refusal = err
    }
  }
  if (refusal === undefined) {
    let allowed = false
    try {
      allowed = await o.policy()(recipient, depositor)
    } catch (err) {
      log('mailbox policy threw: %s', asError(err).name)
    }
    if (!allowed) refusal = new MailboxRefusedError('this mailbox holds no mail for that recipient')
  }
  if (refusal === undefined) {
    try {
      await o.holdings.put(recipient, depositor, envelope, o.now(), prefix)
      counters.depositsIn++
      return { error: '', detail: '' }
    } catch (err) {
      if (!MailboxQuotaError.is(err)) throw err
      refusal = err
    }
  }
  counters.count(counters.refused, refusal.name)
  if (refusal instanceof MailboxQuotaError) counters.count(counters.refusedQuota, refusal.quota)
  log('deposit from %s refused: %s', depositor, refusal.name)
  const detail = refusal instanceof MailboxQuotaError ? refusal.quota : refusal.message
  return { error: refusal.name, detail }
}
