// The floor of `owctl plan` through the SDK: a bare script that imports microsandbox's Node SDK and lists one
// project's sandboxes by label, page after page (100 a page, as owctl asks), with nothing else loaded.
//
//   MSB_HOME=… node bench/sdk-list.mjs PROJECT   → prints the number of sandboxes listed
const { Sandbox } = await import('microsandbox');
const [project] = process.argv.slice(2);
let cursor;
let count = 0;
do {
  const page = await Sandbox.listWith((l) => (cursor === undefined ? l : l.cursor(cursor)).label('owctl.dev/project', project).limit(100));
  count += page.sandboxes.length;
  cursor = page.sandboxes.length === 0 ? undefined : page.nextCursor;
} while (cursor !== undefined);
process.stdout.write(`${count}\n`);
