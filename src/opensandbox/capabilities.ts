/**
 * OpenSandbox as data for the planner: only metadata (labels, protect) changes in place, and a longer expiry
 * (renew); everything else is a new sandbox, created and verified before the old one goes (names are metadata, so
 * both can live at once). env, resources, volumes, the timeout and the tokens cannot be read back, and the image
 * comes back as its first tag: those are compared through digests recorded in metadata.
 * Egress is the exception: each sandbox made with a networkPolicy runs an egress sidecar whose rules change through
 * `/policy` and whose Credential Vault changes through PATCH, both read back (values never: their digests stand in).
 */
import { MSB_CAPABILITIES, type BackendCapabilities } from '../model/capabilities.ts';

export const OPENSANDBOX_CAPABILITIES: BackendCapabilities = {
  backend: 'opensandbox',
  inPlace: { ...MSB_CAPABILITIES.inPlace, resources: 'replace', env: 'replace', tokens: 'replace', labels: 'live', protect: 'live' },
  extendMaxDurationLive: true,
  createBeforeDestroy: true,
  unreadable: ['image', 'resources', 'env', 'tokens', 'mounts', 'command', 'idle_timeout'],
  launchesServer: false,
  localImages: false,
  restartable: false,
  serverLogs: false,
  egress: {
    targets: ['domain', 'suffix'],
    ports: false,
    protocols: ['tcp'],
    onViolation: false,
    credentialHeader: 'used',
    defaultPolicy: 'the server\'s default: no egress sidecar, all egress allowed',
    implicit: { egress: 'deny', rules: [] },
    // A policy made only for credentials (egress-request.ts `networkPolicyOf`); none at all is the same to the guest.
    undeclared: { egress: 'allow', rules: [] },
    credentialsNeedPolicy: true,
    injectionField: 'network.credential_proxy',
    changes: {
      default_action: { disposition: 'replace', reason: 'the egress sidecar cannot change its default action at run time' },
      rules: { disposition: 'live', reason: 'through the egress sidecar\'s /policy' },
      first_policy: { disposition: 'replace', reason: 'a sandbox made without a networkPolicy has no egress sidecar' },
      on_violation: { disposition: 'replace', reason: 'the egress sidecar has no on_violation setting' },
      injection: { disposition: 'replace', reason: 'Credential Proxy is turned on only when a sandbox is created' },
      credential_added: { disposition: 'replace', reason: 'the guest variable holding its fake value is set only at create' },
      credential_removed: { disposition: 'live', reason: 'through a Credential Vault PATCH (the guest keeps the variable\'s fake value until the sandbox is replaced)' },
      credential_value: { disposition: 'live', reason: 'through a Credential Vault PATCH' },
      credential_binding: { disposition: 'live', reason: 'through a Credential Vault PATCH' },
    },
    // The fake value each credential's guest variable holds (egress-request.ts); the lifecycle API cannot read env back.
    placeholderPrefix: 'owctl-credential-vault-placeholder-',
  },
};
