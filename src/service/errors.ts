// Typed errors of the service layer, surfaced by the API and the CLI as one line
// `Name: message` and an exit code (docs/cli.md). Never carry message text or keys.

export abstract class ServiceError extends Error {
  abstract readonly code: string
  /** HTTP status the API answers with. */
  abstract readonly status: number
}

/** A ServiceError class named `name` answering HTTP `status` (./files/errors.ts uses it too). */
export function defineServiceError<N extends string>(name: N, status: number) {
  const C = class extends ServiceError {
    override readonly name: N = name
    readonly code: N = name
    readonly status = status
  }
  Object.defineProperty(C, 'name', { value: name })
  return C
}

export class ContactNotFoundError extends defineServiceError('ContactNotFound', 404) {}
export class MessageNotFoundError extends defineServiceError('MessageNotFound', 404) {}
export class InvalidInviteError extends defineServiceError('InvalidInvite', 400) {}
export class InvalidArgumentError extends defineServiceError('InvalidArgument', 400) {}
export class GroupNotFoundError extends defineServiceError('GroupNotFound', 404) {}
/** `group create` with a name one of our groups has (case-insensitively, after NFC) or a group's
 *  id (issue 14; docs/groups.md "Names"). Exit 1 (CLI.md names no code for it). */
export class GroupExistsError extends defineServiceError('GroupExists', 409) {}
/** A `<group>` name that two of our groups have (one joined from someone else): use the id. */
export class GroupAmbiguousError extends defineServiceError('GroupAmbiguous', 409) {}
/** Only an admin adds or removes members (design §1). */
export class NotAnAdminError extends defineServiceError('NotAnAdmin', 403) {}
/** A group whose op log holds MAX_GROUP_OPS ops: it takes no more (docs/groups.md §1). */
export class GroupLogFullError extends defineServiceError('GroupLogFull', 409) {}
/** A sync request for a group the requester is not a member of (design §4). */
export class NotAMemberError extends defineServiceError('NotAMember', 403) {}
/** A contact name with control/bidi/format characters, too long, or shaped like a PeerId. */
export class InvalidNameError extends defineServiceError('InvalidName', 400) {}
/** A contact name another contact already has. */
export class NameTakenError extends defineServiceError('NameTaken', 409) {}
/** No pending message request from that peer. */
export class RequestNotFoundError extends defineServiceError('RequestNotFound', 404) {}
/** A frame from, or a send to, a blocked peer: dropped (counted in metrics.requests). */
export class BlockedPeerError extends defineServiceError('BlockedPeer', 403) {}
/** A stranger's (no invite proof, no contact, no co-member) card, receipt or group update:
 *  refused and not stored (issue 11 finding 12: its card's addresses are never dialled). */
export class StrangerFrameError extends defineServiceError('StrangerFrame', 403) {}
/** A short invite link's inviter gave no card (offline, or not reachable in time) and the DHT
 *  has none: the contact cannot be added yet (`kith invite --full` works offline). */
export class InviterUnreachableError extends defineServiceError('InviterUnreachable', 504) {}
/** An edit, or a delete for everyone, of a message we did not send (or of a history line). */
export class NotYourMessageError extends defineServiceError('NotYourMessage', 403) {}
/** An edit after EDIT_WINDOW_MS (service/edits.ts), or of a deleted message. */
export class EditWindowClosedError extends defineServiceError('EditWindowClosed', 409) {}
/** An edit or reaction of a deleted message. */
export class MessageDeletedError extends defineServiceError('MessageDeleted', 409) {}
/** A method declared in ChatApi that this build does not implement yet. */
export class NotImplementedError extends defineServiceError('NotImplemented', 501) {}
