// What a line typed into `kith chat` means: a message to send, or one of the chat's commands.
// A line starting with one "/" is always a command, never a message (issue 14: `/help` was
// delivered to the contact); "//" sends the rest with a single "/". This module owns that rule
// and the /help text; it knows nothing of the terminal or the API.

export type Typed =
  | { kind: 'send'; text: string }
  | { kind: 'command'; name: CommandName; arg: string }
  | { kind: 'unknown'; word: string }
  | { kind: 'empty' }

export const COMMANDS = {
  help: 'lists these commands',
  read: 'marks this conversation read (sends read receipts unless they are off)',
  reply: '/reply <text> replies to the last message you received here',
  edit: '/edit <text> edits your last message here',
  delete: 'deletes your last message here for everyone',
  react: '/react <emoji> reacts to the last message you received here',
  quit: 'leaves the chat (so do Ctrl-D and Ctrl-C)',
} as const
export type CommandName = keyof typeof COMMANDS

function isCommand(word: string): word is CommandName {
  return Object.hasOwn(COMMANDS, word)
}

export function parseLine(line: string): Typed {
  const text = line.trim()
  if (text === '') return { kind: 'empty' }
  if (text.startsWith('//')) return { kind: 'send', text: text.slice(1) }
  if (!text.startsWith('/')) return { kind: 'send', text }
  const [word = '', ...rest] = text.slice(1).split(/\s+/)
  const name = word.toLowerCase()
  if (isCommand(name)) return { kind: 'command', name, arg: rest.join(' ') }
  return { kind: 'unknown', word: `/${word}` }
}

/** The lines /help prints. */
export function helpLines(): string[] {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length + 1), '//text'.length)
  return [
    'Commands:',
    ...Object.entries(COMMANDS).map(([c, what]) => `  ${`/${c}`.padEnd(width)}  ${what}`),
    `  ${'//text'.padEnd(width)}  sends "/text" (a line that starts with one / is a command)`,
    'Any other line is sent as a message.',
  ]
}

/** The error line for an unknown command; nothing was sent. */
export function unknownLine(word: string): string {
  return `Unknown command ${word}: nothing was sent (/help lists the commands; //${word.slice(1)} sends "${word}")`
}
