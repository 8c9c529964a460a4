/**
 * The one place a person's token value lives on this machine: `<project>/.owctl/access/<sandbox>/<person>.token`,
 * mode 0600 in a 0700 folder, with a `.gitignore` of `*` beside it so it is never committed. Written once, when the
 * server issues the token; read by verification and by `owctl connect --as PERSON --show-token`. Every value read or
 * written is remembered as a secret, so no error message can carry it.
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tokenFileOf } from '../model/access.ts';
import { rememberSecrets } from './known.ts';

export function tokenFilePath(projectDir: string, sandbox: string, person: string): string {
  return path.join(projectDir, tokenFileOf(sandbox, person));
}

async function ensurePrivateFolder(projectDir: string, sandbox: string): Promise<string> {
  const root = path.join(projectDir, '.owctl', 'access');
  const folder = path.join(root, sandbox);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(root, 0o700);
  await chmod(folder, 0o700);
  await writeFile(path.join(root, '.gitignore'), '# owctl: token values; never commit them\n*\n', { mode: 0o600 });
  return folder;
}

/** Writes the value atomically (a temporary file in the same folder, then a rename), 0600 from the start. */
export async function writeTokenFile(projectDir: string, sandbox: string, person: string, value: string): Promise<string> {
  rememberSecrets([value]);
  await ensurePrivateFolder(projectDir, sandbox);
  const file = tokenFilePath(projectDir, sandbox, person);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${value}\n`, { mode: 0o600 });
  await rename(temporary, file);
  return file;
}

/** The value, or null when this machine has none (another machine applied, or a pipeline's runner is gone). */
export async function readTokenFile(projectDir: string, sandbox: string, person: string): Promise<string | null> {
  try {
    const value = (await readFile(tokenFilePath(projectDir, sandbox, person), 'utf8')).trim();
    if (value === '') return null;
    rememberSecrets([value]);
    return value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export async function removeTokenFile(projectDir: string, sandbox: string, person: string): Promise<void> {
  await rm(tokenFilePath(projectDir, sandbox, person), { force: true });
}
