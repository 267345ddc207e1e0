// Secrets never print (STYLE.md §7): every key-holding object extends Redacted, so inspect(),
// String() and JSON.stringify() show only its kind.

const inspect = Symbol.for('nodejs.util.inspect.custom')

export abstract class Redacted {
  protected abstract readonly redactedKind: string
  toString(): string {
    return `[${this.redactedKind} redacted]`
  }
  toJSON(): string {
    return this.toString()
  }
  [inspect](): string {
    return this.toString()
  }
}
