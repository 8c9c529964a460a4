/**
 * The README's command lines (in ```sh blocks, `owctl …` or `npx owctl …`) name real commands and real options:
 * checked against commander's definitions, so a renamed flag cannot leave the README behind.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildProgram } from '../../src/cli/main.ts';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const program = buildProgram(() => undefined, () => {
  throw new Error('not run');
});

function commandLines(): string[] {
  const blocks = [...README.matchAll(/```sh\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/#.*$/, '').replace(/^.*?&&\s*/, '').trim())
    .filter((line) => /^(npx )?owctl /.test(line));
}

describe('README command lines', () => {
  it('are found (the day-2 block among them)', () => {
    const lines = commandLines();
    for (const verb of ['import', 'show', 'output', 'completion']) assert.ok(lines.some((l) => l.includes(`owctl ${verb}`)), verb);
  });

  for (const line of commandLines()) {
    it(line, () => {
      const words = line.replace(/^npx /, '').split(/\s+/).slice(1);
      const globals = new Set(program.options.flatMap((o) => [o.short, o.long]));
      let i = 0;
      while (words[i]?.startsWith('-')) i += globals.has(words[i]!.split('=')[0]) && program.options.find((o) => o.long === words[i] || o.short === words[i])?.required ? 2 : 1;
      const command = program.commands.find((c) => c.name() === words[i]);
      assert.ok(command, `${words[i]} is an owctl command`);
      const known = new Set([...command.options, ...program.options].flatMap((o) => [o.short, o.long]).concat('--help'));
      for (const word of words.slice(i + 1).filter((w) => w.startsWith('-'))) assert.ok(known.has(word.split('=')[0]), `${word} is an option of owctl ${command.name()}`);
    });
  }
});
