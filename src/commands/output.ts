/** `owctl output [NAME…] [--json]`: each declared sandbox's connect URL and token variables, read from the file only. */
import type { ApplyResult } from '../apply/events.ts';
import { EXIT, OwctlError } from '../errors.ts';
import type { DesiredState } from '../model/desired.ts';
import { OUTPUT_FORMAT_VERSION, renderOutputs, sandboxOutput, type OutputDocument } from '../views/outputs.ts';
import { style } from '../views/style.ts';
import type { CommandIO } from './io.ts';
import { loadFile } from './load-file.ts';
import { serverUrl } from '../msb/address.ts';

export async function outputCommand(options: { file: string; names: string[]; json: boolean }, io: CommandIO): Promise<number> {
  const { desired } = await loadFile(options.file, io, 'output');
  const unknown = options.names.filter((name) => !desired.sandboxes.some((s) => s.name === name));
  if (unknown.length > 0) throw new OwctlError('usage', `no sandbox named ${unknown.join(', ')} in ${options.file}`, { hint: 'run `owctl output` to list them all' });
  const chosen = desired.sandboxes.filter((s) => options.names.length === 0 || options.names.includes(s.name));
  const outputs = chosen.map((s) => sandboxOutput(s, serverUrl(s, s.verify.connectHost)));
  if (options.json) {
    const document: OutputDocument = { format_version: OUTPUT_FORMAT_VERSION, project: desired.project, outputs };
    io.stdout(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    io.stdout(renderOutputs(outputs, style(io.color)));
  }
  return EXIT.ok;
}

/** After an apply: the outputs of every sandbox it created, replaced, updated or started successfully. */
export function appliedOutputs(result: ApplyResult, desired: DesiredState, io: CommandIO): string {
  const touched = new Set(result.outcomes.filter((o) => o.outcome === 'succeeded' && o.action !== 'delete').map((o) => o.sandbox));
  const sandboxes = desired.sandboxes.filter((s) => touched.has(s.name));
  if (sandboxes.length === 0) return '';
  const s = style(io.color);
  return `\n${s.bold('Outputs')} (again any time with \`owctl output\`):\n${renderOutputs(sandboxes.map((d) => sandboxOutput(d, serverUrl(d, d.verify.connectHost))), s)}`;
}
