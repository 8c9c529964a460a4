/**
 * In an 80-column terminal (a real pty, `script`), owctl's human text fits: long lines wrap at spaces under their
 * label, the status table cuts its image and owner columns (never the URL). Through a pipe every line stays whole.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NO_TERMINAL, inTerminal } from '../helpers/terminal.ts';
import { IMAGE, Project, freePort, tokens } from './harness.ts';

const COLUMNS = 80;
const LIMIT_MS = 60_000;

/** Lines wider than the terminal, other than one unbreakable word (a path) after its indent. */
const tooWide = (output: string) => output.split('\n').filter((line) => line.length > COLUMNS && /\S\s+\S/.test(line.trim()));

async function run(project: Project, args: string[], pipe?: string): Promise<string> {
  const terminal = inTerminal(args, { cwd: project.dir, env: project.env(), columns: COLUMNS, ...(pipe === undefined ? {} : { pipe }) });
  const timer = setTimeout(() => void terminal.signalGroup('SIGKILL').catch(() => undefined), LIMIT_MS);
  const { output } = await terminal.done;
  clearTimeout(timer);
  return output.replace(/^OWCTL_PGID=\d+\n/m, '');
}

describe('an 80-column terminal', { skip: NO_TERMINAL }, () => {
  let project: Project;
  before(async () => {
    project = await Project.create('width');
    const port = await freePort();
    await project.writeFile([{ name: 'alice', port, tokens: tokens('alice'), idleTimeout: '30m' }]);
    // A sandbox of this project, as apply leaves it (labelled, its port published), without waiting for a server.
    const made = await project.msbRaw(['create', '--quiet', '--name', 'alice', '--pull', 'never', '-m', '512M', '-p', `${port}:8787`, '--label', `owctl.dev/project=${project.name}`, IMAGE]);
    assert.equal(made.code, 0, made.stderr);
  });
  after(() => project.cleanup());

  it('validate: the idle_timeout warning wraps under its label; piped, it is one line', async () => {
    const shown = await run(project, ['validate']);
    assert.deepEqual(tooWide(shown), [], shown);
    assert.match(shown, /warning: idle_timeout \(alice\)/);
    assert.ok(shown.split('\n').filter((line) => line.trim() !== '').length >= 4, shown);
    const piped = await run(project, ['validate'], '2>&1 | cat');
    assert.ok(piped.split('\n').some((line) => line.length > 200 && line.includes('warning: idle_timeout')), piped);
  });

  it('status: the table fits, the URL whole', async () => {
    const shown = await run(project, ['status']);
    const table = shown.split('\n').filter((line) => /^(NAME|alice)\s/.test(line));
    assert.equal(table.length, 2, shown);
    for (const line of table) assert.ok(line.length <= COLUMNS, `${line.length}: ${line}`);
    assert.match(table[1]!, /http:\/\/127\.0\.0\.1:\d+/);
    const piped = await run(project, ['status'], '| cat');
    assert.ok(piped.includes(IMAGE), 'a pipe gets the whole image reference');
  });

  it('--version and doctor fit', async () => {
    for (const args of [['--version'], ['doctor']]) {
      const shown = await run(project, args);
      assert.deepEqual(tooWide(shown), [], shown);
    }
  });

  it('output fits', async () => {
    await writeFile(join(project.dir, '.keep'), '');
    const shown = await run(project, ['output']);
    assert.match(shown, /alice/);
    assert.deepEqual(tooWide(shown), [], shown);
  });
});
