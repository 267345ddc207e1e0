// What a running daemon or relay prints: its one-line notices on stderr, the ready line (human,
// or one JSON object with --json, CLI.md "Node") on stdout. It prints no peer text, only its own
// identity, addresses and error names, so it needs none of the CLI's escaping
// (src/cli/output.ts, which writes its own lines through these three writers).

export function writeOut(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}

export function writeErr(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
}

/** One JSON document (or one line of a stream) on stdout. */
export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`)
}
