/** `owctl show PLANFILE`: renders a saved plan (`owctl plan -o FILE`) without reading the file or touching msb. */
import { resolve } from 'node:path';
import { EXIT } from '../errors.ts';
import { renderPlanHuman } from '../views/plan-human.ts';
import { planDocument, renderPlanJson } from '../views/plan-json.ts';
import { style } from '../views/style.ts';
import { readSavedPlan } from './apply.ts';
import type { CommandIO } from './io.ts';
import { relativeFile } from './paths.ts';
import type { PlanFormat } from './plan.ts';

export async function showCommand(options: { planFile: string; format: PlanFormat }, io: CommandIO): Promise<number> {
  const saved = await readSavedPlan(resolve(io.cwd, options.planFile));
  const document = planDocument(saved.plan, relativeFile(saved.file, io.cwd), saved.preflight ?? []);
  if (options.format === 'json') io.stdout(renderPlanJson(document));
  else if (options.format === 'markdown') io.stdout((await import('../views/plan-markdown.ts')).renderPlanMarkdown(document));
  else {
    io.stdout(renderPlanHuman(document, style(io.color)));
    const made = [saved.targets.length > 0 ? `--target ${saved.targets.join(' ')}` : '', (saved.replace ?? []).length > 0 ? `--replace ${saved.replace!.join(' ')}` : ''].filter(Boolean).join(' ');
    io.stdout(`\nSaved plan ${options.planFile}${made ? ` (made with ${made})` : ''}. Apply exactly this plan with: owctl apply ${options.planFile}\n`);
  }
  return EXIT.ok;
}
