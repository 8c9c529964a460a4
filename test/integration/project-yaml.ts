/** openwork.yaml text for integration tests and the benchmark: small, valid, and fast to "apply" (see fast-create.ts). */

/** Two distinct tiny images (different env, so different digests); load them with `loadTestImage`. */
export const IMAGE_1 = 'owctl-it:1';
export const IMAGE_2 = 'owctl-it:2';

export interface SandboxDecl {
  image?: string;
  memory?: string;
  /** `HOST:GUEST` pairs. */
  ports?: string[];
  /** Bind mounts as `SOURCE:TARGET`; SOURCE relative to the project folder. Default: `./.owctl/NAME/workspace:/workspace`. */
  binds?: string[];
}

/**
 * An openwork.yaml for `sandboxes` (name → overrides). Defaults: IMAGE_1, pull never (the images are loaded, never
 * pulled), 1 CPU, 256M, one bind mount of a folder that does not exist, no ports, tokens from the environment.
 */
export function projectYaml(project: string, sandboxes: Record<string, SandboxDecl>): string {
  const lines = [
    'version: 1',
    `project: ${project}`,
    'defaults:',
    `  image: ${IMAGE_1}`,
    '  pull: never',
    '  resources: { cpus: 1, memory: 256M }',
    '  tokens: { client: "${OPENWORK_TOKEN}", host: "${OPENWORK_HOST_TOKEN}" }',
    'sandboxes:',
  ];
  for (const [name, decl] of Object.entries(sandboxes)) {
    lines.push(`  ${name}:`);
    if (decl.image !== undefined) lines.push(`    image: ${decl.image}`);
    if (decl.memory !== undefined) lines.push(`    resources: { memory: ${decl.memory} }`);
    lines.push('    mounts:');
    for (const bind of decl.binds ?? [`./.owctl/${name}/workspace:/workspace`]) {
      const [source, target] = bind.split(':');
      lines.push(`      - { type: bind, source: ${source}, target: ${target} }`);
    }
    if (decl.ports !== undefined) {
      lines.push('    ports:');
      for (const port of decl.ports) {
        const [host, guest] = port.split(':');
        lines.push(`      - { host: ${host}, guest: ${guest} }`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
