/** A request's body as the stand-in's servers record it: parsed JSON, the raw text when it is not JSON, or undefined. */
import type { IncomingMessage } from 'node:http';

export async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
