/**
 * ajv errors → plain-English issues at key paths. Wording comes from the schema where it can (patternErrorMessage,
 * errorMessage, descriptions, allowed keys and values), so the schema stays the one place that defines structure.
 * Values of `writeOnly` (secret) keys are never quoted.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import { closest } from './did-you-mean.ts';
import type { Issue, Segment } from './issue.ts';
import { deref, describe, schemaAt, type SchemaNode } from './schema.ts';

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true/false',
  null: 'an empty value',
};

export interface MapOptions {
  /** Prepended to every path (the sandbox, when validating a merged sandbox). */
  base?: Segment[];
  /** Extra hint for keys that are required. */
  requiredHint?: string;
}

export function schemaIssues(errors: ErrorObject[], data: unknown, options: MapOptions = {}): Issue[] {
  const base = options.base ?? [];
  return errors
    .filter((error) => error.keyword !== 'propertyNames')
    .map((error) => {
      const path = [...base, ...segmentsOf(error.instancePath, data)];
      return withDefaultHint(toIssue(error, path, options), path);
    });
}

/** Every problem carries a hint: when the case has none of its own, what the schema says the value is. */
function withDefaultHint(issue: Issue, errorPath: Segment[]): Issue {
  if (issue.hint) return issue;
  return withHint(issue, firstSentence(describe(schemaAt(issue.path))) ?? firstSentence(describe(schemaAt(errorPath))));
}

/** `3GB`, `256mb`, `2GiB`: msb's sizes have no B. */
function sizeSuggestion(value: unknown): string | undefined {
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([mMgG])i?[bB]\s*$/.exec(value) : null;
  return match ? `did you mean "${match[1]}${match[2]!.toUpperCase()}"?` : undefined;
}

/** A pattern's message `is not a size (use 512M, …)`: the condition is the message, the parenthesis the hint. */
function patternIssue(path: Segment[], value: string, text: string, data: unknown): Issue {
  const advice = /^(.*) \(([^()]*)\)$/.exec(text);
  const suggestion = sizeSuggestion(data);
  if (advice === null) return withHint({ path, message: `${value} ${text}` }, suggestion);
  return { path, message: `${value} ${advice[1]}`, hint: suggestion ? `${suggestion} ${advice[2]}` : advice[2]! };
}

/**
 * Where each error leaves a value that later stages must not trust: the value itself, or for a missing key or an
 * unknown mount type the whole mapping that holds it. Later stages work on the file with these removed.
 */
export function rejectedPaths(errors: ErrorObject[], data: unknown): Segment[][] {
  return errors.map((error) => {
    const at = segmentsOf(error.instancePath, data);
    const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
    if (propertyName !== undefined) return [...at, propertyName];
    if (error.keyword === 'propertyNames') return [...at, String((error.params as Record<string, unknown>).propertyName)];
    if (error.keyword === 'additionalProperties') return [...at, String((error.params as Record<string, unknown>).additionalProperty)];
    return at;
  });
}

function toIssue(error: ErrorObject, path: Segment[], options: MapOptions): Issue {
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as SchemaNode;
  const secret = parent.writeOnly === true;
  const value = show(error.data, secret);
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    // An invalid key (sandbox name, env name, label key): the problem is the key itself.
    const reason = (parent.patternErrorMessage as string | undefined) ?? (error.message ?? 'is not allowed');
    return { ...patternIssue([...path, propertyName], show(propertyName, false), reason, undefined), on: 'key' };
  }
  switch (error.keyword) {
    case 'additionalProperties':
      return unknownKey(path, String(params.additionalProperty), parent);
    case 'required': {
      const key = String(params.missingProperty);
      const hint = options.requiredHint ?? firstSentence(describe(schemaAt([...path, key])));
      return withHint({ path: [...path, key], message: `missing required key "${key}"` }, hint);
    }
    case 'type': {
      const expected = orList(String(params.type).split(',').map((type) => TYPE_NAMES[type] ?? type));
      return withHint({ path, message: `expected ${expected}, got ${secret ? kindOf(error.data) : value}` }, firstSentence(describe(schemaAt(path))));
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const suggestion = typeof error.data === 'string' ? closest(error.data, allowed) : undefined;
      return withHint({ path, message: `${value} is not one of: ${allowed.join(', ')}` }, suggestion && `did you mean "${suggestion}"?`);
    }
    case 'const':
    case 'pattern':
      return patternIssue(path, value, (parent.patternErrorMessage ?? parent.errorMessage ?? error.message) as string, secret ? undefined : error.data);
    case 'minimum':
      return { path, message: `must be at least ${String(params.limit)}, got ${value}` };
    case 'maximum':
      return { path, message: `must be at most ${String(params.limit)}, got ${value}` };
    case 'minLength':
      return { path, message: params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long (got ${lengthOf(error.data)})` };
    case 'maxLength':
      return { path, message: `must be at most ${String(params.limit)} characters long (got ${lengthOf(error.data)})` };
    case 'minItems':
      return { path, message: params.limit === 1 ? 'must not be an empty list' : `must have at least ${String(params.limit)} items` };
    case 'discriminator':
      return discriminator(path, params, error.data, parent);
    default:
      return { path, message: error.message ?? `is not valid (${error.keyword})` };
  }
}

function unknownKey(path: Segment[], key: string, parent: SchemaNode): Issue {
  const properties = (deref(parent)?.properties ?? {}) as Record<string, SchemaNode>;
  const allowed = Object.keys(properties);
  const issue: Issue = { path: [...path, key], on: 'key', message: `unknown key ${show(key, false)}` };
  const suggestion = closest(key, allowed);
  if (suggestion) return { ...issue, hint: `did you mean "${suggestion}"?` };
  for (const [name, child] of Object.entries(properties)) {
    const childProperties = deref(child)?.properties as Record<string, unknown> | undefined;
    if (childProperties && Object.hasOwn(childProperties, key)) return { ...issue, hint: `did you mean "${name}.${key}"? (${key} goes under ${name})` };
  }
  return allowed.length > 0 ? { ...issue, hint: `allowed keys here: ${allowed.join(', ')}` } : issue;
}

function discriminator(path: Segment[], params: Record<string, unknown>, data: unknown, parent: SchemaNode): Issue {
  const tag = String(params.tag);
  const branches = (parent.oneOf ?? []) as SchemaNode[];
  const allowed = branches.map((branch) => String(deref(branch)?.properties?.[tag]?.const));
  const choices = allowed.join(', ');
  const present = typeof data === 'object' && data !== null && Object.hasOwn(data, tag);
  if (params.error === 'mapping' || (present && typeof params.tagValue === 'string')) {
    const suggestion = typeof params.tagValue === 'string' ? closest(params.tagValue, allowed) : undefined;
    const message = `${show(params.tagValue, false)} is not a known ${tag}`;
    return { path: [...path, tag], message, hint: suggestion ? `did you mean "${suggestion}"? (one of: ${choices})` : `use one of: ${choices}` };
  }
  if (!present) return { path: [...path, tag], message: `missing required key "${tag}"`, hint: `set ${tag} to one of: ${choices}` };
  return { path: [...path, tag], message: `expected a string, got ${show((data as Record<string, unknown>)[tag], false)}`, hint: `use one of: ${choices}` };
}

/** JSON pointer → key path; numeric segments are list indexes only where the data holds a list. */
function segmentsOf(pointer: string, data: unknown): Segment[] {
  if (pointer === '') return [];
  const segments: Segment[] = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const segment: Segment = Array.isArray(current) ? Number(key) : key;
    segments.push(segment);
    current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined;
  }
  return segments;
}

/** `a, b or c` */
function orList(items: string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}` : (items[0] ?? '');
}

function withHint(issue: Issue, hint: string | undefined): Issue {
  return hint ? { ...issue, hint } : issue;
}

function firstSentence(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const end = text.search(/\.(?:\s+[A-Z]|$)/);
  return end === -1 ? text : text.slice(0, end + 1);
}

/** A value as a message shows it: strings quoted and clipped, secrets never. */
export function show(value: unknown, secret: boolean): string {
  if (secret) return 'a secret value';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'an empty value';
  return TYPE_NAMES[typeof value === 'object' ? 'object' : typeof value] ?? typeof value;
}

function lengthOf(value: unknown): number {
  return typeof value === 'string' ? [...value].length : 0;
}
