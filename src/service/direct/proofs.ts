// Invite proofs (issue 11 "Message requests"): the secret an invite link carries, and its proof.
// We issue a standing secret (in every plain `invite`) and single-use ones (`invite --once`),
// storing only their SHA-256. A peer that adds our link keeps the secret with the contact and
// puts it in every 1:1 content it sends us (ChatContent.invite_proof, inside the encrypted
// session) until it has received an authenticated message from us. On our side, a peer that
// proves one of our secrets becomes a contact; anyone else is a stranger (./requests.ts).
// This module owns the secrets and the proof in outgoing contents; it knows nothing of contacts
// beyond the store's proof column, nor of requests.
import {
  decodeChatContent,
  encodeChatContent,
  fromHex,
  INVITE_SECRET_BYTES,
  toHex,
} from '../../core/index.js'
import type { CoreContext } from '../../core/index.js'
import type { NodeStore } from '../../store/types.js'

/** Unused single-use invite secrets kept: the oldest beyond this are forgotten (their links stop
 *  working). Bounds the table however often `invite --once` runs; 1,000 outstanding one-off
 *  invites is far beyond what one person hands out. */
export const MAX_ONCE_INVITES = 1000

const STANDING = 'invite.secret'

/** What the invite proofs use (a narrow port): the core context and the store. */
export interface ProofsContext {
  ctx: CoreContext
  store: NodeStore
}

export class InviteProofs {
  readonly #cx: ProofsContext

  constructor(cx: ProofsContext) {
    this.#cx = cx
  }

  /** The secret for a new invite link: the standing one, or a fresh single-use one. */
  secret(once: boolean): Uint8Array {
    const store = this.#cx.store
    return store.transaction(() => {
      const now = this.#cx.ctx.clock()
      if (once) {
        const s = this.#cx.ctx.rng(INVITE_SECRET_BYTES)
        store.trust.addInviteSecret(this.#cx.ctx.crypto.sha256(s), true, now)
        store.trust.pruneOnceSecrets(MAX_ONCE_INVITES)
        return s
      }
      const hex = store.getSetting(STANDING)
      if (hex !== undefined) return fromHex(hex)
      const s = this.#cx.ctx.rng(INVITE_SECRET_BYTES)
      store.setSetting(STANDING, toHex(s))
      store.trust.addInviteSecret(this.#cx.ctx.crypto.sha256(s), false, now)
      return s
    })
  }

  /** Whether `proof` (ChatContent.invite_proof) is one of our secrets `from` may use; a
   *  single-use one is consumed by `from`. Inside the receive transaction. */
  redeem(from: string, proof: Uint8Array): boolean {
    if (proof.length !== INVITE_SECRET_BYTES) return false
    // Looked up by its hash: no comparison with the secret itself to time.
    return this.#cx.store.trust.redeemInviteSecret(this.#cx.ctx.crypto.sha256(proof), from)
  }

  /** Whether `secret` is one of ours that `from` may still use (a /kith/card request for a
   *  short link: node/card/index.ts). Unlike redeem(), it consumes nothing. */
  valid(from: string, secret: Uint8Array): boolean {
    if (secret.length !== INVITE_SECRET_BYTES) return false
    return this.#cx.store.trust.inviteSecretUsable(this.#cx.ctx.crypto.sha256(secret), from)
  }

  /**
   * `content` as sent to `peer`: with our proof of its invite secret and our name while we have
   * not heard from it, else unchanged. A content too large to take the proof goes without it.
   */
  decorate(peer: string, content: Uint8Array, name: string): Uint8Array {
    const secret = this.#cx.store.trust.inviteProof(peer)
    if (secret === undefined) return content
    const c = decodeChatContent(content)
    if (c.conversation.length > 0) return content // a group's content, not a 1:1 one
    try {
      return encodeChatContent({ ...c, inviteProof: secret, profileName: name })
    } catch {
      return content
    }
  }

  /** An authenticated message from `peer` arrived: stop proving (inside that transaction). */
  heard(peer: string): void {
    this.#cx.store.trust.setInviteProof(peer, undefined)
  }
}
