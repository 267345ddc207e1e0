// Timing helpers shared by the benches: run an async operation for a time budget, time a
// synchronous call, take medians, and print aligned tables. No bench-specific knowledge here.
import { performance } from 'node:perf_hooks'

/**
 * Runs `op` repeatedly for at least `ms` milliseconds and returns operations per second. The
 * clock is read once per `batch` calls, so its cost stays out of the figure; `batch` is even so
 * that an operation which alternates between two parties always ends a run on the same side.
 */
export async function opsPerSecond(
  op: (i: number) => Promise<void>,
  ms: number,
  batch = 8,
): Promise<number> {
  const start = performance.now()
  const end = start + ms
  let n = 0
  let now = start
  do {
    for (let i = 0; i < batch; i++) await op(n + i)
    n += batch
    now = performance.now()
  } while (now < end)
  return (n * 1000) / (now - start)
}

/** Where timed calls leave their results, so the optimizer cannot drop the calls. */
export let sink: unknown

/**
 * Microseconds per call of `fn`: `iterations` calls in five batches after a warm-up of a tenth
 * as many, and the median batch's mean, so one GC pause or scheduler hiccup does not decide it.
 */
export function microsPerCall(fn: () => unknown, iterations: number): number {
  const batch = Math.max(1, Math.ceil(iterations / 5))
  for (let i = 0; i < Math.max(1, Math.floor(iterations / 10)); i++) sink = fn()
  const means: number[] = []
  for (let b = 0; b < 5; b++) {
    const start = performance.now()
    for (let i = 0; i < batch; i++) sink = fn()
    means.push(((performance.now() - start) * 1000) / batch)
  }
  return median(means)
}

/** Nearest-rank percentile (NaN for no values). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN
  const s = [...values].sort((x, y) => x - y)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('values: expected at least one')
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Right-aligns numbers and left-aligns text, columns separated by two spaces. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows]
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)))
  const numeric = (s: string) => /^[-+]?[\d.,]+(\s?[%×x])?$/.test(s) || s === '—'
  const fmt = (r: readonly string[]) =>
    r
      .map((cell, c) =>
        c > 0 && numeric(cell) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!),
      )
      .join('  ')
      .trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [fmt(header), rule, ...rows.map(fmt)].join('\n')
}

export const int = (x: number): string => Math.round(x).toString()
export const fixed = (x: number, digits: number): string => x.toFixed(digits)
