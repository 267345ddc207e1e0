// Group names a user can tell apart (issue 14; docs/groups.md "Names"): names are unique per
// node, compared case-insensitively after Unicode NFC, and a group's id is never taken as a name.
// A group JOINED from someone else's add keeps the name its creator gave it even when we already
// use that name: it stays addressable by its id, and the name alone then names no group (every
// action by that name is refused with GroupAmbiguous instead of silently picking one). This
// module owns name comparison, the create-time checks and the lookup of a `<group>` argument;
// it knows no SQL and nothing of ops or keys.
import { GROUP_ID_BYTES } from '../../core/wire/limits.js'
import type { GroupRow, GroupStore } from '../../store/types.js'
import { GroupAmbiguousError, GroupExistsError, InvalidNameError } from '../errors.js'
import type { GroupContext } from './context.js'

/** Hex of GROUP_ID_BYTES: a name of that shape could be taken for some group's id. */
const GROUP_ID_SHAPE = new RegExp(`^[0-9a-fA-F]{${GROUP_ID_BYTES * 2}}$`)

/** The form two group names are compared in: NFC, then case-folded (toLowerCase, after NFC). */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC')
}

/**
 * Throws unless `name` may name a new group: GroupExists when an active group of ours already has
 * it (as compared by nameKey) or it is a group's id, InvalidName when it is shaped like a group
 * id (so a name never shadows the id of a group we join later).
 */
export function requireFreeName(cx: GroupContext, name: string): void {
  const all = cx.store.groups.allGroups()
  if (all.some((g) => g.groupId.toLowerCase() === name.toLowerCase()))
    throw new GroupExistsError('that is the id of an existing group; choose another name')
  if (GROUP_ID_SHAPE.test(name))
    throw new InvalidNameError('a group name cannot look like a group id')
  const key = nameKey(name)
  if (all.some((g) => g.active && nameKey(g.name) === key))
    throw new GroupExistsError(`a group named "${name}" exists`)
}

/**
 * The group a `<group>` argument names: its id (exactly, any case), else the one group whose
 * name matches (nameKey), active ones before left ones. Two active groups of that name (one
 * joined from someone else), or two left ones and no active one: GroupAmbiguous, naming no id
 * (`group list` shows them). undefined when nothing matches.
 */
export function findGroup(
  cx: { store: { groups: GroupStore } },
  ref: string,
): GroupRow | undefined {
  const all = cx.store.groups.allGroups()
  const byId = all.find((g) => g.groupId.toLowerCase() === ref.toLowerCase())
  if (byId !== undefined) return byId
  const key = nameKey(ref)
  const named = all.filter((g) => nameKey(g.name) === key)
  const active = named.filter((g) => g.active)
  const pick = active.length > 0 ? active : named
  if (pick.length > 1)
    throw new GroupAmbiguousError(`${pick.length} groups are named "${ref}": use the group id`)
  return pick[0]
}
