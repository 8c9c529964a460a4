/** The commented egress block of `owctl init` and of the repository's openwork.yaml, once uncommented. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { fileWarnings } from '../../src/config/warnings.ts';
import { EGRESS_BLOCK, starter } from '../../src/commands/init.ts';
import { TEST_ENV, withFiles } from './helpers.ts';

const ENV = { ...TEST_ENV, ANTHROPIC_API_KEY: 'sk-ant-block-0123456789' };

/** The block's YAML lines uncommented (its prose stays a comment). */
function uncommented(text: string): string {
  return text.replace(/^ {2}# (?=network:|credentials:| {2})/gm, '  ');
}

async function loadText(text: string) {
  return withFiles({ 'openwork.yaml': text }, async (dir) => loadConfig(path.join(dir, 'openwork.yaml'), ENV, { positioned: true }));
}

describe('the commented egress block', () => {
  for (const [name, text] of [
    ['owctl init', () => Promise.resolve(starter('./schemas/openwork.schema.json'))],
    ['openwork.yaml', () => readFile(path.resolve(import.meta.dirname, '../../openwork.yaml'), 'utf8')],
  ] as const) {
    it(`${name}: carries it, and uncommented it is valid, holds the key on the host and blocks nothing OpenCode needs`, async () => {
      const original = await text();
      assert.ok(original.includes(EGRESS_BLOCK), 'the block is there, commented');
      const { desired, diagnostics } = await loadText(uncommented(original));
      assert.deepEqual(diagnostics, []);
      for (const sandbox of desired!.sandboxes) {
        assert.equal(sandbox.network?.egress, 'deny');
        assert.deepEqual(Object.keys(sandbox.credentials ?? {}), ['ANTHROPIC_API_KEY']);
      }
      assert.deepEqual(fileWarnings(desired).filter((w) => w.startsWith('network')), []);
    });
  }
});
