/** GitHub's zen: the sayings `GET /zen` answers and `ping` payloads carry. */
export const SAYINGS = [
  'Responsive is better than fast.',
  "It's not fully shipped until it's fast.",
  'Anything added dilutes everything else.',
  'Practicality beats purity.',
  'Approachable is better than simple.',
  'Mind your words, they are important.',
  'Speak like a human.',
  'Half measures are as bad as nothing at all.',
  'Encourage flow.',
  'Non-blocking is better than blocking.',
  'Favor focus over features.',
  'Avoid administrative distraction.',
  'Design for failure.',
  'Keep it logically awesome.',
] as const;

/** A saying chosen by `seed` (a hook id), so a hook's pings vary with the hook rather than at random. */
export function zen(seed: number): string {
  return SAYINGS[Math.abs(seed) % SAYINGS.length];
}

/** A saying at random, as GitHub's `GET /zen` answers. */
export function randomZen(): string {
  return zen(Math.floor(Math.random() * SAYINGS.length));
}
