// What counts as one reaction emoji (wire/content.ts Reaction.emoji): exactly one extended
// grapheme cluster (UAX #29, via Intl.Segmenter) that is an emoji — it holds a pictographic code
// point (UTS #51 Extended_Pictographic), is a regional-indicator flag or a keycap — and holds
// nothing but emoji building blocks (modifiers, ZWJ, VS16, tag characters, keycap mark). Pure: no
// I/O; knows nothing of messages.

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/** UTS #51 §1.4: the code points an emoji sequence is made of. */
const PART =
  /^(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\p{Emoji_Component}|\u200d|\ufe0f|\u20e3|[\u{e0020}-\u{e007f}])+$/u
const HAS_EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u

/** Whether `s` is exactly one emoji grapheme (no text, no controls, no second grapheme). */
export function isOneEmoji(s: string): boolean {
  if (typeof s !== 'string' || s.length === 0) return false
  let n = 0
  for (const _ of segmenter.segment(s)) if (++n > 1) return false
  return PART.test(s) && HAS_EMOJI.test(s)
}
