/**
 * docker compose's variable interpolation: `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?message}`,
 * `${NAME?message}`, `${NAME:+other}`, `${NAME+other}`, `$NAME`, and `$$` for a literal `$`. Defaults may nest.
 * Unlike compose, an unset variable without a default is an error rather than an empty string: a silently empty
 * token or path is worse than a stop.
 */
export interface InterpolationError {
  message: string;
  hint?: string;
  /** The source text of the failing expression, to place the error inside its scalar. */
  expression: string;
  /** The variable that is not set (or empty where that is an error), when that is the problem. */
  variable?: string;
}

export interface InterpolationResult {
  value: string;
  errors: InterpolationError[];
}

export type Lookup = (name: string) => string | undefined;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const BRACED = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/;
const SYNTAX_HINT = 'write ${NAME}, ${NAME:-default} or ${NAME:?message}; write $$ for a literal $';

export function hasInterpolation(text: string): boolean {
  return text.includes('$');
}

/** Defaults inside defaults (`${A:-${B:-…}}`) deeper than this are refused: a file cannot exhaust the stack. */
export const MAX_INTERPOLATION_DEPTH = 16;

export function interpolate(text: string, lookup: Lookup, depth = 0): InterpolationResult {
  const errors: InterpolationError[] = [];
  if (depth > MAX_INTERPOLATION_DEPTH) {
    errors.push({ message: `interpolation nested too deeply (more than ${MAX_INTERPOLATION_DEPTH} levels of \${…} inside \${…})`, hint: 'flatten the defaults: set the variables they name instead', expression: clip(text) });
    return { value: '', errors };
  }
  let value = '';
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf('$', index);
    if (dollar === -1) {
      value += text.slice(index);
      break;
    }
    value += text.slice(index, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      value += '$';
      index = dollar + 2;
    } else if (next === '{') {
      const end = closingBrace(text, dollar + 2);
      if (end === -1) {
        errors.push({ message: 'unclosed "${" in interpolation', hint: SYNTAX_HINT, expression: text.slice(dollar) });
        return { value: value + text.slice(dollar), errors };
      }
      value += resolveBraced(text.slice(dollar, end + 1), lookup, errors, depth);
      index = end + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      if (name === undefined) {
        errors.push({ message: '"$" is not followed by a variable name', hint: SYNTAX_HINT, expression: text.slice(dollar, dollar + 2) });
        value += '$';
        index = dollar + 1;
      } else {
        value += resolve(name, '', '', `$${name}`, lookup, errors, depth);
        index = dollar + 1 + name.length;
      }
    }
  }
  return { value, errors };
}

/** Index of the `}` closing an expression whose body starts at `start`, honouring nested `${…}` and `$$`. */
function closingBrace(text: string, start: number): number {
  let depth = 1;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (char === '$' && (text[index + 1] === '{' || text[index + 1] === '$')) {
      if (text[index + 1] === '{') depth++;
      index++;
    } else if (char === '}' && --depth === 0) {
      return index;
    }
  }
  return -1;
}

function resolveBraced(expression: string, lookup: Lookup, errors: InterpolationError[], depth: number): string {
  const match = BRACED.exec(expression.slice(2, -1));
  if (!match) {
    errors.push({ message: `invalid interpolation "${clip(expression)}"`, hint: SYNTAX_HINT, expression });
    return '';
  }
  return resolve(match[1]!, match[2] ?? '', match[3] ?? '', expression, lookup, errors, depth);
}

function resolve(name: string, operator: string, word: string, expression: string, lookup: Lookup, errors: InterpolationError[], depth: number): string {
  const found = lookup(name);
  const set = found !== undefined;
  const present = set && found !== '';
  const nested = (): string => {
    const inner = interpolate(word, lookup, depth + 1);
    errors.push(...inner.errors);
    return inner.value;
  };
  switch (operator) {
    case ':-':
      return present ? found : nested();
    case '-':
      return set ? found : nested();
    case ':+':
      return present ? nested() : '';
    case '+':
      return set ? nested() : '';
    case ':?':
    case '?': {
      if (operator === ':?' ? present : set) return found ?? '';
      const reason = word === '' ? unsetHint(name) : nested();
      errors.push({ message: `required variable ${name} is ${set ? 'empty' : 'not set'}`, hint: reason, expression, variable: name });
      return '';
    }
    default:
      if (set) return found;
      errors.push({ message: `variable ${name} is not set`, hint: `${unsetHint(name)}, or give a default: \${${name}:-value}`, expression, variable: name });
      return '';
  }
}

function unsetHint(name: string): string {
  return `set ${name} in the environment or in a .env file beside the YAML file`;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const INTEGER = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const BOOLEAN = /^(?:true|True|TRUE|false|False|FALSE)$/;

/** An interpolated plain (unquoted) scalar, typed the way YAML would have typed the text it became. */
export function retype(value: string): string | number | boolean {
  if (INTEGER.test(value) || FLOAT.test(value)) return Number(value);
  if (BOOLEAN.test(value)) return value.toLowerCase() === 'true';
  return value;
}
