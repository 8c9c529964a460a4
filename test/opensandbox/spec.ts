/**
 * The OpenSandbox lifecycle spec (OpenAPI 3.1, read from ../shared/data/opensandbox; never copied into the project)
 * as validators: for any recorded exchange, the request body and the response body are checked against the schemas
 * the spec names for that path, method and status.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { Exchange } from '../opensandbox-standin/standin.ts';

export const SPEC_PATH = resolve(import.meta.dirname, '../../../../shared/data/opensandbox/sandbox-lifecycle.yml');
export const SPEC_AVAILABLE = existsSync(SPEC_PATH) || existsSync('/work/shared/data/opensandbox/sandbox-lifecycle.yml');
/** The egress sidecar's API (`/policy`, `/credential-vault`), beside the lifecycle spec. */
export const EGRESS_SPEC_PATH = resolve(import.meta.dirname, '../../../../shared/data/opensandbox/egress-api.yaml');
export const EGRESS_SPEC_AVAILABLE = existsSync(EGRESS_SPEC_PATH) || existsSync('/work/shared/data/opensandbox/egress-api.yaml');

/** execd's API (the per-sandbox daemon: `/command` and the rest), beside the lifecycle spec, or where OWCTL_EXECD_SPEC names. */
export const EXECD_SPEC_PATH = process.env.OWCTL_EXECD_SPEC ?? resolve(import.meta.dirname, '../../../../shared/data/opensandbox/execd-api.yaml');
export const EXECD_SPEC_AVAILABLE = existsSync(EXECD_SPEC_PATH) || existsSync('/work/shared/data/opensandbox/execd-api.yaml');

type Node = Record<string, any>;

const require = createRequire(import.meta.url);

export class Spec {
  private readonly doc: Node;
  private readonly ajv: any;

  /** `egress`: the sidecar's spec instead of the lifecycle API's; `execd`: execd's. */
  constructor(which: 'lifecycle' | 'egress' | 'execd' = 'lifecycle') {
    const files = {
      lifecycle: [SPEC_PATH, '/work/shared/data/opensandbox/sandbox-lifecycle.yml'],
      egress: [EGRESS_SPEC_PATH, '/work/shared/data/opensandbox/egress-api.yaml'],
      execd: [EXECD_SPEC_PATH, '/work/shared/data/opensandbox/execd-api.yaml'],
    } as const;
    const [near, fallback] = files[which];
    const file = existsSync(near) ? near : fallback;
    this.doc = parse(readFileSync(file, 'utf8')) as Node;
    const { Ajv2020 } = require('ajv/dist/2020.js');
    this.ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    this.ajv.addSchema({ $id: 'spec', components: this.doc.components });
  }

  private deref(node: Node | undefined): Node | undefined {
    let current = node;
    while (current?.$ref) current = (current.$ref as string).replace(/^#\//, '').split('/').reduce((at: Node, key: string) => at?.[key], this.doc);
    return current;
  }

  /** The spec's operation for a concrete path (`/sandboxes/abc/metadata`) and method. */
  operation(method: string, path: string): Node | undefined {
    for (const [template, item] of Object.entries(this.doc.paths as Node)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      if (pattern.test(path)) return (item as Node)[method.toLowerCase()];
    }
    return undefined;
  }

  private readonly compiled = new Map<string, any>();

  private check(schema: Node | undefined, value: unknown): string[] {
    if (schema === undefined) return [];
    const key = JSON.stringify(schema);
    if (!this.compiled.has(key)) this.compiled.set(key, this.ajv.compile(this.rebase(schema)));
    const validate = this.compiled.get(key);
    return validate(value) ? [] : (validate.errors as Array<{ instancePath: string; message: string }>).map((e) => `${e.instancePath || '/'} ${e.message}`);
  }

  /** Local refs (`#/components/…`) point into the registered spec schema. */
  private rebase(schema: Node): Node {
    return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"spec#/components/')) as Node;
  }

  /** Problems of `value` against the spec's schema `components.schemas.<name>` (e.g. one event of a stream). */
  schemaProblems(name: string, value: unknown): string[] {
    const schema = this.doc.components?.schemas?.[name] as Node | undefined;
    return schema === undefined ? [`no schema ${name} in the spec`] : this.check(schema, value);
  }

  /** The schema the spec names for a response's media type (`text/event-stream` for execd's streams). */
  responseSchema(method: string, path: string, status: number, media: string): Node | undefined {
    return this.deref(this.deref(this.operation(method, path)?.responses?.[String(status)])?.content?.[media]?.schema as Node | undefined);
  }

  /** Problems of one exchange against the spec; `undocumented` when the spec has no schema for its status. */
  problems(exchange: Exchange): { request: string[]; response: string[]; undocumented: boolean } {
    const op = this.operation(exchange.method, exchange.path);
    if (op === undefined) return { request: [`no operation ${exchange.method} ${exchange.path} in the spec`], response: [], undocumented: true };
    const requestSchema = this.deref(op.requestBody)?.content?.['application/json']?.schema as Node | undefined;
    const request = exchange.requestBody === undefined ? [] : this.check(requestSchema, exchange.requestBody);
    const response = this.deref(op.responses?.[String(exchange.status)]);
    if (response === undefined) return { request, response: [], undocumented: true };
    const schema = response.content?.['application/json']?.schema as Node | undefined;
    // The sidecar answers errors as text/plain, as its spec declares.
    if (schema === undefined && response.content?.['text/plain'] !== undefined) return { request, response: typeof exchange.responseBody === 'string' ? [] : ['a JSON body where the spec declares text/plain'], undocumented: false };
    if (schema === undefined) return { request, response: exchange.responseBody === undefined ? [] : ['a body where the spec declares none'], undocumented: false };
    return { request, response: this.check(schema, exchange.responseBody), undocumented: false };
  }
}
