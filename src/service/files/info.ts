// What a 'file' message line carries (CLI.md "Files, more": `"file":{"fileId","name","size",
// "sha256"}`), stored as JSON in the message's text column (as event lines are). No imports: the
// view code (../types.ts) and the file service both use it.

/** `kith file send` / `get` answers and message lines' `"file"`. */
export interface FileInfo {
  fileId: string
  name: string
  size: number
  sha256: string
}

/** The FileInfo a 'file' message's text holds (undefined if it is not one). */
export function parseInfo(text: string): FileInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<FileInfo>
    if (
      typeof v.fileId === 'string' &&
      typeof v.name === 'string' &&
      typeof v.size === 'number' &&
      typeof v.sha256 === 'string'
    ) {
      return { fileId: v.fileId, name: v.name, size: v.size, sha256: v.sha256 }
    }
  } catch {
    // not a file line
  }
  return undefined
}
