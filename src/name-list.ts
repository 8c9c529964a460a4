/**
 * Names in a sentence: all of them up to `max`, then a count, so a message about a fleet of a thousand sandboxes
 * stays one readable line ("a, b, c and 997 more").
 */
export function nameList(names: readonly string[], max: number, format: (name: string) => string = (name) => name): string {
  const shown = names.slice(0, max).map(format).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}
