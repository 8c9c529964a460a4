/**
 * The fast path for a plain, valid file: js-yaml's event parser turned straight into interpolated data, with the
 * typing the full path gives (parse-yaml.ts and interpolate-doc.ts on the `yaml` package: YAML 1.2 core schema,
 * keys as written). The full path keeps source positions for diagnostics and costs 5–10 times more on a cold
 * start (BENCHMARKS.md); most runs read a file that is fine, so they take this one.
 *
 * It returns undefined — and the caller takes the full path, which also reports every problem at its line — for
 * anything it does not model exactly: a syntax error, more than one document, directives, anchors, aliases, tags,
 * keys that are not scalars, empty or repeated keys, nesting past MAX_DEPTH, a failed ${VAR}, and plain scalars
 * the core schema would type in a non-canonical spelling (`0x1f`, `1e3`, `+1`, `~`, `True`, `.inf`). Equivalence
 * with the full path is tested on every file in the test corpus (test/config/fast-yaml.test.ts).
 */
import { EVENT_ID, SCALAR_STYLE, getScalarValue, parseEvents, type Event } from 'js-yaml';
import { MAX_DEPTH } from './defaults.ts';
import { hasInterpolation, interpolate, retype, type Lookup } from './interpolate.ts';

/** Plain scalars the core schema types as something other than a string (yaml's resolvers, src/schema/core). */
const CORE_NON_STRING = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^[-+]?(?:\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];

const CORE_FIRST = /^[-+.~0-9nNtTfF]/;

/** Thrown inside the walk to leave the fast path; never escapes this module. */
class Unmodelled extends Error {}

/** The plain scalars typed here: the spellings whose value reads back the same way (`8787`, `1.5`, `true`, `null`). */
function typePlain(text: string): unknown {
  if (text === '' || text === 'null') return null;
  if (text === 'true' || text === 'false') return text === 'true';
  // Every pattern above starts with one of these: most strings (names, paths, images) stop here.
  if (!CORE_FIRST.test(text) || !CORE_NON_STRING.some((pattern) => pattern.test(text))) return text;
  const number = Number(text);
  if (Number.isFinite(number) && String(number) === text) return number;
  throw new Unmodelled();
}

export function fastYaml(text: string, lookup: Lookup): { data: unknown } | undefined {
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth: MAX_DEPTH });
  } catch {
    return undefined;
  }
  let index = 0;
  const next = (): Event => {
    const event = events[index++];
    if (event === undefined) throw new Unmodelled();
    return event;
  };

  const scalar = (event: Event & { type: typeof EVENT_ID.SCALAR }): unknown => {
    const value = getScalarValue(text, event);
    const plain = event.style === SCALAR_STYLE.PLAIN;
    if (!hasInterpolation(value)) return plain ? typePlain(value) : value;
    const result = interpolate(value, lookup);
    if (result.errors.length > 0) throw new Unmodelled();
    return plain ? retype(result.value) : result.value;
  };

  const node = (): unknown => {
    const event = next();
    if (event.type === EVENT_ID.ALIAS || event.type === EVENT_ID.DOCUMENT || event.type === EVENT_ID.POP) throw new Unmodelled();
    if (event.anchorStart !== -1 || event.tagStart !== -1) throw new Unmodelled();
    if (event.type === EVENT_ID.SCALAR) return scalar(event);
    if (event.type === EVENT_ID.SEQUENCE) {
      const items: unknown[] = [];
      while (events[index]?.type !== EVENT_ID.POP) items.push(node());
      index++;
      return items;
    }
    const map: Record<string, unknown> = {};
    while (events[index]?.type !== EVENT_ID.POP) {
      const key = next();
      if (key.type !== EVENT_ID.SCALAR || key.anchorStart !== -1 || key.tagStart !== -1) throw new Unmodelled();
      const name = getScalarValue(text, key);
      if (name === '' || Object.hasOwn(map, name)) throw new Unmodelled();
      // defineProperty: a key named __proto__ is data here, as in the full path.
      Object.defineProperty(map, name, { value: node(), enumerable: true, writable: true, configurable: true });
    }
    index++;
    return map;
  };

  try {
    const documents = events.filter((event) => event.type === EVENT_ID.DOCUMENT);
    if (documents.length !== 1 || documents[0]!.directives.length > 0) return undefined;
    next(); // the document
    // An empty document is null, as in the full path.
    const data = events[index]?.type === EVENT_ID.POP ? null : node();
    if (events[index]?.type !== EVENT_ID.POP || index + 1 !== events.length) return undefined;
    return { data };
  } catch {
    // Unmodelled, or anything js-yaml throws while decoding a scalar: the full way decides.
    return undefined;
  }
}
