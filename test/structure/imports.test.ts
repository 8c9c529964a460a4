/**
 * The architecture drawing stays one-way: no import circles anywhere in src/, and nothing the planner or the
 * executor reaches imports a backend folder (each backend is the only code that talks to its engine).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const SRC = path.resolve(import.meta.dirname, '../../src');
const BACKENDS = ['msb', 'opensandbox'];
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every relative import (static, type-only, re-export or dynamic) of every file under src/. */
function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of files(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(IMPORT)].map((m) => path.resolve(path.dirname(file), (m[1] ?? m[2])!));
    edges.set(path.relative(SRC, file), targets.map((t) => path.relative(SRC, t)));
  }
  return edges;
}

function cycles(edges: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...edges.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

test('src/ has no import circle (type-only and dynamic imports count)', () => {
  assert.deepEqual(cycles(graph()).map((c) => c.join(' -> ')), []);
});

test('nothing src/plan/ or src/apply/ imports, directly or through other files, is in a backend folder', () => {
  const edges = graph();
  const offending: string[] = [];
  for (const start of [...edges.keys()].filter((f) => f.startsWith('plan/') || f.startsWith('apply/'))) {
    const seen = new Set<string>([start]);
    const queue = [start];
    while (queue.length > 0) {
      const node = queue.shift()!;
      for (const next of edges.get(node) ?? []) {
        if (BACKENDS.some((b) => next.startsWith(`${b}/`))) offending.push(`${start} reaches ${next} (through ${node})`);
        else if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
  }
  assert.deepEqual(offending, []);
});

test('the check sees a circle when there is one (guards the walker itself)', () => {
  const edges = new Map([['a.ts', ['b.ts']], ['b.ts', ['a.ts']], ['c.ts', []]]);
  assert.deepEqual(cycles(edges), [['a.ts', 'b.ts', 'a.ts']]);
});
