// The automatic-download budget (docs/files.md "Threat model: a contact filling our disk"): which
// small incoming files may download by themselves. Pure: rows in, a decision out.
import type { FileRow } from '../../store/files.js'
import {
  AUTO_DOWNLOAD_MAX_BYTES,
  AUTO_DOWNLOAD_PER_SENDER_BYTES,
  AUTO_DOWNLOAD_TOTAL_BYTES,
  AUTO_DOWNLOAD_WINDOW_MS,
} from './limits.js'

/**
 * Whether `r` may download by itself: within AUTO_DOWNLOAD_PER_SENDER_BYTES of its sender's and
 * AUTO_DOWNLOAD_TOTAL_BYTES of everyone's incoming files (≤ AUTO_DOWNLOAD_MAX_BYTES each, not
 * cancelled) received in the last AUTO_DOWNLOAD_WINDOW_MS, `r` included. `recent`: the newest
 * rows (FILE_LIST_MAX bounds the work; older ones are outside any useful window anyway).
 */
export function autoDownloadAllowed(recent: readonly FileRow[], r: FileRow, now: number): boolean {
  let sender = r.size
  let total = r.size
  for (const x of recent) {
    if (x.fileId === r.fileId || x.direction !== 'in' || x.state === 'cancelled') continue
    if (x.size > AUTO_DOWNLOAD_MAX_BYTES || now - x.createdAt > AUTO_DOWNLOAD_WINDOW_MS) continue
    total += x.size
    if (x.sender === r.sender) sender += x.size
  }
  return sender <= AUTO_DOWNLOAD_PER_SENDER_BYTES && total <= AUTO_DOWNLOAD_TOTAL_BYTES
}
