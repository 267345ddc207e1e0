// The shape and sentence of a group history line (issue 14; CLI.md `"kind":"event"`), shared by
// the service (./groups/events.ts stores them) and the CLI (which prints them with its own names,
// escaped). This module owns nothing else and imports nothing: it is safe for any layer.

export type GroupEventType = 'created' | 'added' | 'removed' | 'left' | 'renamed' | 'timer'

/** What a group history line says (the `event` field of a message line). */
export interface GroupEvent {
  type: GroupEventType
  /** PeerId of the member who signed the op. */
  by: string
  /** PeerIds added or removed (empty for created, left, renamed). */
  members: string[]
  /** The group's name the op set (created, renamed), else absent. */
  name?: string
  /** `timer`: the disappearing timer set, seconds (0: off) — in groups and 1:1 (../edits.ts). */
  ttlSeconds?: number
}

/** "30 s", "5 min", "2 h", "3 d": a disappearing timer for a history line. */
export function ttlPhrase(s: number): string {
  if (s % 86_400 === 0) return `${s / 86_400} d`
  if (s % 3600 === 0) return `${s / 3600} h`
  if (s % 60 === 0) return `${s / 60} min`
  return `${s} s`
}

/**
 * The sentence of an event. `name(peerId)` gives a member's name; `me` is our own PeerId, shown
 * as "you". Quoted group names come from `quote`, so a terminal caller can escape them.
 */
export function eventSentence(
  e: GroupEvent,
  me: string,
  name: (peerId: string) => string,
  quote: (s: string) => string = (s) => JSON.stringify(s),
): string {
  const who = (p: string): string => (p === me ? 'you' : name(p))
  const list = (ps: string[]): string => ps.map(who).join(', ')
  switch (e.type) {
    case 'created':
      return `${who(e.by)} created the group ${quote(e.name ?? '')}`
    case 'added':
      return `${who(e.by)} added ${list(e.members)}`
    case 'removed':
      if (e.members.includes(me) && e.by !== me) return `you were removed by ${name(e.by)}`
      return `${who(e.by)} removed ${list(e.members)}`
    case 'left':
      return `${who(e.by)} left`
    case 'renamed':
      return `${who(e.by)} renamed the group to ${quote(e.name ?? '')}`
    case 'timer':
      return (e.ttlSeconds ?? 0) === 0
        ? `${who(e.by)} turned disappearing messages off`
        : `${who(e.by)} set disappearing messages to ${ttlPhrase(e.ttlSeconds ?? 0)}`
  }
}

/** The event stored in a message's text (kind 'event'), or undefined if it is not one. */
export function parseEvent(text: string): (GroupEvent & { text: string }) | undefined {
  try {
    const v = JSON.parse(text) as Partial<GroupEvent & { text: string }>
    if (typeof v.type !== 'string' || typeof v.by !== 'string' || !Array.isArray(v.members))
      return undefined
    return v as GroupEvent & { text: string }
  } catch {
    return undefined
  }
}
