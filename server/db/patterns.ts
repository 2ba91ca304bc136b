/** Text searched in MongoDB as a regular expression that matches it literally (user input, addresses). */
export function literalPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
