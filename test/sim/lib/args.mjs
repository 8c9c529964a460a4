// A small clap-alike: long/short options (`--x v`, `--x=v`, `-xv`, clustered flags), repeatable options, positionals,
// a trailing command after `--`, and clap 4's error texts for the cases owctl and the contract tests can hit.
import {
  ClapError,
  invalidValue,
  missingRequired,
  missingValue,
  unexpectedArgument,
  usedMultipleTimes,
} from './errors.mjs';

/** Diagnostic flags every msb subcommand accepts (ignored here). */
const GLOBAL_FLAGS = ['tree', 'error', 'warn', 'info', 'debug', 'trace'].map((long) => ({ long }));

/**
 * @param {string[]} argv arguments after the subcommand
 * @param {object} spec { name, usage, options: [{long, short?, value?, multiple?, possible?, type?}],
 *   positionals: [{name, multiple?, required?}], trailing?: string }
 * @returns {{ opts: Record<string, any>, pos: Record<string, any>, trailing: string[] | null, help: boolean }}
 */
export function parseArgs(argv, spec) {
  const options = [...spec.options, ...GLOBAL_FLAGS];
  const opts = {};
  const used = [];
  const given = [];
  let trailing = null;
  let help = false;
  const hasPositionals = (spec.positionals ?? []).length > 0 || spec.trailing !== undefined;

  const take = (option, value) => {
    if (option.value === undefined) {
      opts[option.long] = true;
      return;
    }
    const typed = convert(option, value);
    if (option.multiple) (opts[option.long] ??= []).push(typed);
    else if (opts[option.long] !== undefined) throw usedMultipleTimes(display(option), spec.usage);
    else opts[option.long] = typed;
  };

  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (trailing !== null) {
      trailing.push(arg);
      continue;
    }
    if (arg === '--') {
      if (spec.trailing === undefined) {
        // clap treats everything after `--` as positionals.
        given.push(...argv.slice(i + 1));
        break;
      }
      trailing = [];
      continue;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const long = arg.slice(2, eq < 0 ? undefined : eq);
      const option = options.find((o) => o.long === long);
      if (!option) throw unknown(`--${long}`, spec, options, used, given, hasPositionals);
      used.push(option);
      if (option.value === undefined) {
        if (eq >= 0) {
          throw new ClapError(
            `error: unexpected value '${arg.slice(eq + 1)}' for '--${long}' found; no more were expected\n\nUsage: ${usageOf(spec, used, given)}\n\nFor more information, try '--help'.`,
          );
        }
        take(option);
        continue;
      }
      let value = eq >= 0 ? arg.slice(eq + 1) : argv[i + 1];
      if (eq < 0) {
        if (value === undefined) throw missingValue(display(option), option.possible);
        if (looksLikeFlag(value)) throw unexpectedArgument(flagToken(value), spec.usage, valueTip(flagToken(value), hasPositionals));
        i += 1;
      }
      take(option, value);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j += 1) {
        const option = options.find((o) => o.short === arg[j]);
        if (!option) throw unknown(`-${arg[j]}`, spec, options, used, given, hasPositionals);
        used.push(option);
        if (option.value === undefined) {
          take(option);
          continue;
        }
        let value = arg.slice(j + 1);
        if (value.startsWith('=')) value = value.slice(1);
        if (value === '') {
          value = argv[i + 1];
          if (value === undefined) throw missingValue(display(option), option.possible);
          if (looksLikeFlag(value)) throw unexpectedArgument(flagToken(value), spec.usage, valueTip(flagToken(value), hasPositionals));
          i += 1;
        }
        take(option, value);
        break;
      }
      continue;
    }
    given.push(arg);
  }

  if (help) return { opts, pos: {}, trailing, help };
  return { opts, pos: assignPositionals(spec, given), trailing, help };
}

function assignPositionals(spec, given) {
  const pos = {};
  const slots = spec.positionals ?? [];
  let index = 0;
  for (const slot of slots) {
    if (slot.multiple) {
      pos[slot.name] = given.slice(index);
      index = given.length;
    } else if (index < given.length) {
      pos[slot.name] = given[index];
      index += 1;
    }
  }
  if (index < given.length) throw unexpectedArgument(given[index], spec.usage);
  const missing = slots.filter((slot) => slot.required && (slot.multiple ? pos[slot.name].length === 0 : pos[slot.name] === undefined));
  if (missing.length > 0) {
    throw missingRequired(
      missing.map((slot) => `<${slot.name}>${slot.multiple ? '...' : ''}`),
      `msb ${spec.name} ${slots.map((slot) => `<${slot.name}>${slot.multiple ? '...' : ''}`).join(' ')}`,
    );
  }
  return pos;
}

function convert(option, value) {
  if (option.possible && !option.possible.includes(value)) throw invalidValue(value, display(option), '', option.possible);
  if (option.type === 'u8' || option.type === 'u64') {
    const max = option.type === 'u8' ? 255n : 18446744073709551615n;
    const problem = unsignedProblem(value, max);
    if (problem) throw invalidValue(value, display(option), problem);
    return Number(value.replace(/^\+/, ''));
  }
  return value;
}

/** Rust's `str::parse::<uN>()` error text, or null when `text` parses. */
export function unsignedProblem(text, max) {
  if (text === '') return 'cannot parse integer from empty string';
  const digits = text.startsWith('+') ? text.slice(1) : text;
  if (digits === '' || !/^[0-9]+$/.test(digits)) return 'invalid digit found in string';
  if (BigInt(digits) > max) {
    return max === 255n ? `${BigInt(digits)} is not in 0..=255` : 'number too large to fit in target type';
  }
  return null;
}

function display(option) {
  return option.value === undefined ? `--${option.long}` : `--${option.long} <${option.value}>`;
}

function looksLikeFlag(value) {
  return value.startsWith('-') && value !== '-';
}

function flagToken(value) {
  if (value.startsWith('--')) return value.split('=')[0];
  if (/^-[0-9]/.test(value)) return value;
  return value.slice(0, 2);
}

function valueTip(token, hasPositionals) {
  return hasPositionals ? `to pass '${token}' as a value, use '-- ${token}'` : undefined;
}

function unknown(token, spec, options, used, given, hasPositionals) {
  const similar = token.startsWith('--') ? closest(token.slice(2), options.map((o) => o.long)) : null;
  if (similar) {
    const suggestion = options.find((o) => o.long === similar);
    return unexpectedArgument(token, usageOf(spec, [suggestion, ...used], given), `a similar argument exists: '--${similar}'`);
  }
  return unexpectedArgument(token, usageOf(spec, used, given), valueTip(token, hasPositionals));
}

/** clap renders the usage line from the arguments actually used, when there are any. */
function usageOf(spec, used, given) {
  const seen = new Set();
  const parts = [];
  for (const option of used) {
    if (seen.has(option.long) || GLOBAL_FLAGS.some((g) => g.long === option.long)) continue;
    seen.add(option.long);
    parts.push(display(option));
  }
  const slots = spec.positionals ?? [];
  if (given.length > 0 && slots.length > 0) parts.push(...slots.slice(0, given.length).map((s) => `<${s.name}>${s.multiple ? '...' : ''}`));
  return parts.length === 0 ? spec.usage : `msb ${spec.name} ${parts.join(' ')}`;
}

/** clap suggests a long option whose Jaro similarity to the typo exceeds 0.7. */
export function closest(word, candidates) {
  let best = null;
  let bestScore = 0.7;
  for (const candidate of candidates) {
    const score = jaro(word, candidate);
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

function jaro(a, b) {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aMatched = new Array(a.length).fill(false);
  const bMatched = new Array(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i += 1) {
    for (let j = Math.max(0, i - window); j < Math.min(b.length, i + window + 1); j += 1) {
      if (bMatched[j] || a[i] !== b[j]) continue;
      aMatched[i] = bMatched[j] = true;
      matches += 1;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < a.length; i += 1) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) k += 1;
    if (a[i] !== b[k]) transpositions += 1;
    k += 1;
  }
  return (matches / a.length + matches / b.length + (matches - transpositions / 2) / matches) / 3;
}
