/**
 * `defaults` under a sandbox: mappings merge key by key (recursively), everything else — lists included — is
 * replaced by the sandbox's own value. Built with Object.fromEntries so keys like `__proto__` stay plain data.
 */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mergeDefaults(defaults: unknown, sandbox: unknown): unknown {
  if (!isMapping(defaults) || !isMapping(sandbox)) return sandbox === undefined ? defaults : sandbox;
  const keys = new Set([...Object.keys(defaults), ...Object.keys(sandbox)]);
  return Object.fromEntries(
    [...keys].map((key) => [key, Object.hasOwn(sandbox, key) ? mergeDefaults(Object.hasOwn(defaults, key) ? defaults[key] : undefined, sandbox[key]) : defaults[key]]),
  );
}
