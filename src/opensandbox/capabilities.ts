/**
 * OpenSandbox as data for the planner: only metadata (labels, protect) changes in place, and a longer expiry
 * (renew); everything else is a new sandbox, created and verified before the old one goes (names are metadata, so
 * both can live at once). env, resources, volumes, the timeout and the tokens cannot be read back, and the image
 * comes back as its first tag: those are compared through digests recorded in metadata.
 */
import { MSB_CAPABILITIES, type BackendCapabilities } from '../model/capabilities.ts';

export const OPENSANDBOX_CAPABILITIES: BackendCapabilities = {
  backend: 'opensandbox',
  inPlace: { ...MSB_CAPABILITIES.inPlace, resources: 'replace', env: 'replace', tokens: 'replace', labels: 'live', protect: 'live', credentials: 'replace' },
  extendMaxDurationLive: true,
  createBeforeDestroy: true,
  unreadable: ['image', 'resources', 'env', 'tokens', 'mounts', 'command', 'idle_timeout', 'network', 'credentials'],
  launchesServer: false,
  localImages: false,
  restartable: false,
  serverLogs: false,
  // Until the OpenSandbox mapping exists, declared egress and credentials need a new sandbox and are compared nowhere.
  egress: {
    targets: ['domain', 'suffix'],
    ports: false,
    protocols: ['tcp'],
    onViolation: false,
    credentialHeader: 'used',
    defaultPolicy: 'the server\'s default egress',
    implicit: { egress: 'allow', rules: [] },
    placeholderPrefix: null,
  },
};
