// Typed errors of the service layer, made with the one error family (core's defineError). They say
// what failed, not how it is reported: src/api/error-table.ts maps each `.name` to the API's HTTP
// status and the CLI's exit code (docs/cli.md). The names (ContactNotFound, not
// ContactNotFoundError) are the shipped contract and stay (docs/architecture.md "Errors"). Never
// carry message text or keys.
import { KithError, defineError } from '../core/errors.js'

/** The one error family (core/errors.ts), for the layers above that see only the service's faces. */
export { KithError, defineError }

export class ContactNotFoundError extends defineError('ContactNotFound') {}
export class MessageNotFoundError extends defineError('MessageNotFound') {}
export class InvalidInviteError extends defineError('InvalidInvite') {}
export class InvalidArgumentError extends defineError('InvalidArgument') {}
export class GroupNotFoundError extends defineError('GroupNotFound') {}
/** `group create` with a name one of our groups has (case-insensitively, after NFC) or a group's
 *  id (issue 14; docs/groups.md "Names"). */
export class GroupExistsError extends defineError('GroupExists') {}
/** A `<group>` name that two of our groups have (one joined from someone else): use the id. */
export class GroupAmbiguousError extends defineError('GroupAmbiguous') {}
/** Only an admin adds or removes members (design §1). */
export class NotAnAdminError extends defineError('NotAnAdmin') {}
/** A group whose op log holds MAX_GROUP_OPS ops: it takes no more (docs/groups.md §1). */
export class GroupLogFullError extends defineError('GroupLogFull') {}
/** A sync request for a group the requester is not a member of (design §4). */
export class NotAMemberError extends defineError('NotAMember') {}
/** A contact name with control/bidi/format characters, too long, or shaped like a PeerId. */
export class InvalidNameError extends defineError('InvalidName') {}
/** A contact name another contact already has. */
export class NameTakenError extends defineError('NameTaken') {}
/** No pending message request from that peer. */
export class RequestNotFoundError extends defineError('RequestNotFound') {}
/** A frame from, or a send to, a blocked peer: dropped (counted in metrics.requests). */
export class BlockedPeerError extends defineError('BlockedPeer') {}
/** A stranger's (no invite proof, no contact, no co-member) card, receipt or group update:
 *  refused and not stored (issue 11 finding 12: its card's addresses are never dialled). */
export class StrangerFrameError extends defineError('StrangerFrame') {}
/** A short invite link's inviter gave no card (offline, or not reachable in time) and the DHT
 *  has none: the contact cannot be added yet (`kith invite --full` works offline). */
export class InviterUnreachableError extends defineError('InviterUnreachable') {}
/** An edit, or a delete for everyone, of a message we did not send (or of a history line). */
export class NotYourMessageError extends defineError('NotYourMessage') {}
/** An edit after EDIT_WINDOW_MS (service/edits.ts), or of a deleted message. */
export class EditWindowClosedError extends defineError('EditWindowClosed') {}
/** An edit or reaction of a deleted message. */
export class MessageDeletedError extends defineError('MessageDeleted') {}
/** A method declared in ChatApi that this build does not implement yet. */
export class NotImplementedError extends defineError('NotImplemented') {}
