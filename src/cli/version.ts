/** `owctl --version`: owctl's version, the msb it would use (path, how it was found, version) and node's. */
import type { CommandIO } from '../commands/io.ts';

export async function versionText(version: string, flag: string | undefined, io: CommandIO): Promise<string> {
  const lines = [`owctl ${version}`];
  try {
    const { describeSource, locateMsb } = await import('../msb/locate.ts');
    const { Msb } = await import('../msb/driver.ts');
    const located = locateMsb({ flag, env: io.env, cwd: io.cwd });
    const found = await new Msb(located.path, io.env).version().catch((error: Error) => `unknown (${error.message})`);
    lines.push(`msb ${found} (${located.path}, from ${describeSource(located.source)})`);
  } catch (error) {
    lines.push(`msb not found: ${(error as Error).message}; \`owctl doctor\` says where it is looked for`);
  }
  lines.push(`node ${process.version}`);
  return `${lines.join('\n')}\n`;
}
