// Typed errors of the service layer, surfaced by the API and the CLI as one line
// `Name: message` and an exit code (docs/cli.md). Never carry message text or keys.

export abstract class ServiceError extends Error {
  abstract readonly code: string
  /** HTTP status the API answers with. */
  abstract readonly status: number
}

function define<N extends string>(name: N, status: number) {
  const C = class extends ServiceError {
    override readonly name: N = name
    readonly code: N = name
    readonly status = status
  }
  Object.defineProperty(C, 'name', { value: name })
  return C
}

export class ContactNotFoundError extends define('ContactNotFound', 404) {}
export class MessageNotFoundError extends define('MessageNotFound', 404) {}
export class InvalidInviteError extends define('InvalidInvite', 400) {}
export class InvalidArgumentError extends define('InvalidArgument', 400) {}
export class GroupNotFoundError extends define('GroupNotFound', 404) {}
/** `group create` with a name one of our groups has (case-insensitively, after NFC) or a group's
 *  id (issue 14; docs/groups.md "Names"). Exit 1 (CLI.md names no code for it). */
export class GroupExistsError extends define('GroupExists', 409) {}
/** A `<group>` name that two of our groups have (one joined from someone else): use the id. */
export class GroupAmbiguousError extends define('GroupAmbiguous', 409) {}
/** Only an admin adds or removes members (design §1). */
export class NotAnAdminError extends define('NotAnAdmin', 403) {}
/** A group whose op log holds MAX_GROUP_OPS ops: it takes no more (docs/groups.md §1). */
export class GroupLogFullError extends define('GroupLogFull', 409) {}
/** A sync request for a group the requester is not a member of (design §4). */
export class NotAMemberError extends define('NotAMember', 403) {}
/** A contact name with control/bidi/format characters, too long, or shaped like a PeerId. */
export class InvalidNameError extends define('InvalidName', 400) {}
/** A contact name another contact already has. */
export class NameTakenError extends define('NameTaken', 409) {}
/** No pending message request from that peer. */
export class RequestNotFoundError extends define('RequestNotFound', 404) {}
/** A frame from, or a send to, a blocked peer: dropped (counted in metrics.requests). */
export class BlockedPeerError extends define('BlockedPeer', 403) {}
/** A stranger's (no invite proof, no contact, no co-member) card, receipt or group update:
 *  refused and not stored (issue 11 finding 12: its card's addresses are never dialled). */
export class StrangerFrameError extends define('StrangerFrame', 403) {}
/** A short invite link's inviter gave no card (offline, or not reachable in time) and the DHT
 *  has none: the contact cannot be added yet (`kith invite --full` works offline). */
export class InviterUnreachableError extends define('InviterUnreachable', 504) {}
/** An edit, or a delete for everyone, of a message we did not send (or of a history line). */
export class NotYourMessageError extends define('NotYourMessage', 403) {}
/** An edit after EDIT_WINDOW_MS (service/edits.ts), or of a deleted message. */
export class EditWindowClosedError extends define('EditWindowClosed', 409) {}
/** An edit or reaction of a deleted message. */
export class MessageDeletedError extends define('MessageDeleted', 409) {}
/** A method declared in ChatApi that this build does not implement yet. */
export class NotImplementedError extends define('NotImplemented', 501) {}
