/**
 * Text owctl relays but did not write (the server's log, msb's stderr, an HTTP error) can hold a secret or steer
 * the terminal. Before it is shown: every known secret (and its URL-encoded form) becomes `[redacted]`, then every
 * control character and terminal escape sequence goes, except tab, newline and SGR colour (`ESC [ … m`).
 * Redaction runs before the controls are stripped (a token with a NUL byte is still found whole) and again after
 * (controls spliced into a token cannot hide it).
 */
export const REDACTED = '[redacted]';

/** The forms in which a secret can appear, longest first (a secret that contains another is removed whole). */
export function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  return [...forms].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

function replaceAll(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
  return out;
}

// SGR (colour) is kept; any other CSI, OSC/DCS/APC/PM/SOS strings, two-character escapes, C0 (but tab and newline),
// DEL and C1 controls go. A carriage return only survives as part of CRLF: alone it can overwrite what was shown.
const SGR = /^\u001b\[[0-9;:]*m/;
const CSI = /^\u001b\[[0-?]*[ -/]*[@-~]/;
const STRING = /^\u001b[\]PX^_][\s\S]*?(?:\u0007|\u001b\\|\u009c)/;
const TWO = /^\u001b[ -OQ-WYZ\\`-~]/;
/** Longer than this and still unfinished: not an escape sequence a terminal would wait for. */
const MAX_ESCAPE = 256;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** Removes terminal control from `text`. `final: false` returns a trailing unfinished escape as `rest`. */
function scrubPart(text: string, final: boolean): { out: string; rest: string } {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const next = text.slice(index).search(CONTROL);
    if (next < 0) {
      out += text.slice(index);
      break;
    }
    out += text.slice(index, index + next);
    index += next;
    const char = text[index]!;
    if (char === '\r' && text[index + 1] === '\n') {
      out += '\r\n';
      index += 2;
      continue;
    }
    if (char === '\r' && index + 1 === text.length && !final) return { out, rest: '\r' };
    if (char !== '\u001b') {
      index += 1;
      continue;
    }
    const tail = text.slice(index);
    const sgr = SGR.exec(tail);
    if (sgr) {
      out += sgr[0];
      index += sgr[0].length;
      continue;
    }
    const other = CSI.exec(tail) ?? STRING.exec(tail) ?? TWO.exec(tail);
    if (other) {
      index += other[0].length;
      continue;
    }
    // An escape that has not ended yet: wait for the rest; malformed or at the end, drop the ESC and go on.
    if (!final && tail.length < MAX_ESCAPE) return { out, rest: tail };
    index += 1;
  }
  return { out, rest: '' };
}

/** Control characters and escape sequences removed; SGR colour, tab, newline and CRLF kept. */
export function stripControls(text: string): string {
  return scrubPart(text, true).out;
}

/** The one way to make relayed text safe to show: redacted, controls stripped, redacted again. */
export function sanitize(text: string, secrets: readonly string[]): string {
  const forms = secretForms(secrets);
  return replaceAll(stripControls(replaceAll(text, forms)), forms);
}

/**
 * `sanitize` for a stream: a secret or an escape sequence split across chunks is still caught. Only a tail that
 * could be the start of a secret (or of an escape sequence) is held back until the next chunk; `end()` flushes it.
 */
export class StreamSanitizer {
  private readonly forms: string[];
  private pending = '';
  private escape = '';

  constructor(secrets: readonly string[]) {
    this.forms = secretForms(secrets);
  }

  push(chunk: string): string {
    return this.emit(this.pending + chunk, false);
  }

  end(): string {
    return this.emit(this.pending, true);
  }

  private emit(text: string, final: boolean): string {
    const cut = final ? text.length : this.safeLength(text);
    this.pending = text.slice(cut);
    const redacted = replaceAll(text.slice(0, cut), this.forms);
    const scrubbed = scrubPart(this.escape + redacted, final);
    this.escape = scrubbed.rest;
    return replaceAll(scrubbed.out, this.forms);
  }

  /** Length of the prefix that no secret can straddle: the rest is a proper prefix of some secret form. */
  private safeLength(text: string): number {
    let lastMatchEnd = 0;
    for (const form of this.forms) {
      const at = text.lastIndexOf(form);
      if (at >= 0) lastMatchEnd = Math.max(lastMatchEnd, at + form.length);
    }
    const longest = this.forms[0]?.length ?? 0;
    for (let start = Math.max(lastMatchEnd, text.length - longest + 1); start < text.length; start++) {
      const tail = text.slice(start);
      if (this.forms.some((form) => form.length > tail.length && form.startsWith(tail))) return start;
    }
    return text.length;
  }
}
