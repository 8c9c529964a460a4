// Which npm packages one real `owctl plan` loads (ESM imports through a resolve hook, CommonJS through require),
// in load order, with how many of their files. Run by `npm run bench -- --phases`; the hooks slow loading down, so
// nothing here is timed.
//
//   MSB_HOME=… OWCTL_MSB=… OPENWORK_TOKEN=… OPENWORK_HOST_TOKEN=… node bench/packages.mjs -f FILE plan
//   → one JSON line: {"commander": 5, "yaml": 60, …}
import Module, { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const files = new Set();
const seen = {};
const record = (url) => {
  const path = String(url).replace(/^file:\/\//, '');
  const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
  if (name === undefined || files.has(path)) return;
  files.add(path);
  seen[name] = (seen[name] ?? 0) + 1;
};
const { port1, port2 } = new MessageChannel();
port1.on('message', record);
const hooks = `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) { const result = await next(specifier, context); port.postMessage(result.url); return result; }`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { port: port2 }, transferList: [port2] });
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const resolved = resolveFilename.apply(this, args);
  record(resolved);
  return resolved;
};

const { main } = await import('../dist/cli/main.js');
const code = await main(['node', 'owctl', ...process.argv.slice(2)], {
  stdout: () => {},
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  interactive: false,
  color: false,
});
await new Promise((resolve) => setTimeout(resolve, 50)); // let the hook thread's last messages arrive
port1.close();
process.stdout.write(`${JSON.stringify(seen)}\n`);
process.exitCode = code;
