/** A single /health probe for `observe`: is an OpenWork server answering on this URL right now? */
import { HttpClient } from './http.ts';

/** One GET /health: `up` on HTTP 200, `down` on anything else (other status, refused, timeout). Never throws. */
export async function probeHealth(baseUrl: string, timeoutMs = 1500, headers: Record<string, string> = {}): Promise<'up' | 'down'> {
  const http = new HttpClient([], headers);
  try {
    const answer = await http.send(`${baseUrl.replace(/\/+$/, '')}/health`, { timeoutMs });
    return answer.kind === 'answer' && answer.status === 200 ? 'up' : 'down';
  } finally {
    await http.close();
  }
}
