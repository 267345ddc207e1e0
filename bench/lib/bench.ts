// What every benchmark module exports, and the options bench/run.ts hands it. This module owns
// the contract between the dispatcher and the benches; it knows nothing of any one bench.

export interface BenchOptions {
  /**
   * A very short run (a few hundred ms) that CI uses only to check the bench still runs end to
   * end. It prints the same table and summary line; its numbers mean nothing.
   */
  smoke: boolean
  /** Arguments after the bench name that bench/run.ts did not consume itself. */
  args: readonly string[]
}

export interface BenchModule {
  run(options: BenchOptions): Promise<void>
}

/** Bad command line: bench/run.ts prints the usage and exits with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** Rejects any argument a bench does not understand, so a typo is not silently ignored. */
export function noExtraArgs(bench: string, args: readonly string[]): void {
  if (args.length > 0) throw new UsageError(`${bench}: unknown argument ${args[0]}`)
}
