/**
 * Checks of `network` and `credentials` the schema cannot express: rule targets a runtime can read, credentials that
 * can be used (their variable is their own, their hosts are host names the rules let through), and what the chosen
 * runtime can express (its capabilities, as data). A credential's value is never part of a message.
 */
import type { EgressCapabilities } from '../model/capabilities.ts';
import { credentialsOf, type DesiredSandbox } from '../model/desired.ts';
import { egressVerdict, isCredentialHost, targetKind } from '../model/network.ts';
import type { Issue, Segment } from './issue.ts';
import { INTERCEPTION_CA_VARIABLES } from '../model/opencode-egress.ts';

type At = (...rest: Segment[]) => Segment[];

const CONTROL = /[\u0000-\u001f\u007f]/;
const RESERVED_ENV_PREFIX = 'MSB_';

export function checkNetwork(sandbox: DesiredSandbox, at: At): Issue[] {
  return [...checkRules(sandbox, at), ...checkCredentials(sandbox, at), ...checkCaVariables(sandbox, at)];
}

/** With a credential the runtime intercepts TLS: the variables that make the guest trust its CA must stay its own. */
function checkCaVariables(sandbox: DesiredSandbox, at: At): Issue[] {
  if (Object.keys(credentialsOf(sandbox)).length === 0) return [];
  return INTERCEPTION_CA_VARIABLES.filter((name) => Object.hasOwn(sandbox.env, name)).map((name) => ({
    path: at('env', name),
    on: 'key' as const,
    message: `${name} points the guest at the CA that microsandbox's credential interception signs with; the sandbox holds credentials, so it must not be overridden`,
    hint: `remove env.${name} (OpenCode, a Bun binary, trusts the interception only through NODE_EXTRA_CA_CERTS)`,
  }));
}

function checkRules(sandbox: DesiredSandbox, at: At): Issue[] {
  const issues: Issue[] = [];
  sandbox.network?.rules?.forEach((rule, index) => {
    if (rule.target === '' || targetKind(rule.target) !== undefined) return;
    const key = rule.action;
    const url = /^[a-z]+:\/\//i.test(rule.target);
    const port = /^[^:[\]]+:[0-9]+$/.test(rule.target);
    issues.push({
      path: at('network', 'rules', index, key),
      message: `${JSON.stringify(rule.target)} is not a host name, *.suffix, IP address, CIDR or group`,
      hint: url
        ? 'write only the host, e.g. api.anthropic.com (no scheme or path)'
        : port
          ? `write the port under ports, e.g. { ${key}: ${rule.target.split(':')[0]}, ports: [${rule.target.split(':')[1]}] }`
          : 'e.g. api.anthropic.com, *.github.com, 10.0.0.0/8, or a group: public, private, loopback, link-local, meta, multicast, host, dns, any',
    });
  });
  return issues;
}

function checkCredentials(sandbox: DesiredSandbox, at: At): Issue[] {
  const issues: Issue[] = [];
  const { tokens } = sandbox;
  for (const [name, credential] of Object.entries(credentialsOf(sandbox))) {
    const here = (...rest: Segment[]) => at('credentials', name, ...rest);
    if (Object.hasOwn(sandbox.env, name)) {
      issues.push({ path: here(), on: 'key', message: `${name} is also set under env`, hint: `remove env.${name}: the guest gets the credential's placeholder in ${name}, never the value` });
    }
    if (name === tokens.clientEnv || name === tokens.hostEnv) {
      const which = name === tokens.clientEnv ? 'client' : 'host';
      issues.push({ path: here(), on: 'key', message: `${name} is where the ${which} token goes`, hint: 'the OpenWork tokens go under tokens; give the credential the variable its program reads, e.g. ANTHROPIC_API_KEY' });
    }
    if (name === sandbox.serverPortEnv) issues.push({ path: here(), on: 'key', message: `${name} is where the OpenWork server reads its port (server.port_env)`, hint: 'give the credential its own variable' });
    if (name.startsWith(RESERVED_ENV_PREFIX)) {
      issues.push({ path: here(), on: 'key', message: `${JSON.stringify(name)} starts with ${RESERVED_ENV_PREFIX}, which microsandbox reserves (its placeholders are $MSB_<NAME>)`, hint: 'choose another variable name' });
    }
    if (credential.value === '') issues.push({ path: here('value'), message: 'is empty', hint: `set it, e.g. value: \${${name}} with ${name} exported or in .env; microsandbox refuses to start a sandbox whose credential is empty` });
    else if (CONTROL.test(credential.value)) {
      issues.push({ path: here('value'), message: 'holds a line break or a control character', hint: 'credentials travel in HTTP headers: remove it (a trailing newline from a file is the usual cause)' });
    }
    issues.push(...checkHosts(sandbox, name, here));
  }
  return issues;
}

function checkHosts(sandbox: DesiredSandbox, name: string, here: At): Issue[] {
  const hosts = credentialsOf(sandbox)[name]!.hosts;
  const issues: Issue[] = [];
  hosts.forEach((host, index) => {
    if (host !== undefined && !isCredentialHost(host)) {
      issues.push({ path: here('hosts', index), message: `${JSON.stringify(host)} is not a host name`, hint: 'write a host name such as api.anthropic.com, or "*.example.com" (quoted) for its subdomains (no scheme, port, path or IP address)' });
    }
  });
  const named = hosts.filter((host) => host !== undefined && isCredentialHost(host));
  if (issues.length === 0 && named.length > 0 && named.every((host) => egressVerdict(sandbox, host) === 'blocked')) {
    issues.push({
      path: here('hosts'),
      message: `network blocks every host of ${name} (${named.join(', ')}): it can never be used`,
      hint: `allow them before any rule that blocks them, e.g. { allow: ${JSON.stringify(named[0])}, ports: [443] } under network.rules`,
    });
  }
  return issues;
}

/** What the file asks of egress that the runtime `runtime` cannot express (its capabilities, as data). */
export function checkEgressSupport(sandbox: DesiredSandbox, at: At, caps: EgressCapabilities, runtime: string): Issue[] {
  const issues: Issue[] = [];
  const refuse = (path: Segment[], what: string, hint: string): void => {
    issues.push({ path, message: `${what} cannot be expressed on the ${runtime} backend`, hint });
  };
  sandbox.network?.rules?.forEach((rule, index) => {
    const kind = targetKind(rule.target);
    if (kind !== undefined && !caps.targets.includes(kind)) refuse(at('network', 'rules', index, rule.action), `a rule naming ${a(kind)}`, `use ${caps.targets.map(a).join(' or ')}`);
    if (rule.ports.length > 0 && !caps.ports) refuse(at('network', 'rules', index, 'ports'), 'a rule limited to ports', 'remove ports: the rule then covers every port');
    if (rule.protocol !== undefined && !caps.protocols.includes(rule.protocol)) refuse(at('network', 'rules', index, 'protocol'), `protocol ${rule.protocol}`, `use ${caps.protocols.join(' or ')}`);
  });
  if (sandbox.network?.onViolation !== undefined && !caps.onViolation) refuse(at('network', 'on_violation'), 'on_violation', 'remove it');
  return issues;
}

function a(kind: string): string {
  return { domain: 'a host name', suffix: 'a *.suffix', ip: 'an IP address', cidr: 'a CIDR', group: 'a group' }[kind] ?? kind;
}
