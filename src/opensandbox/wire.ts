/** The OpenSandbox lifecycle API's shapes as owctl uses them (a subset of the spec's schemas). */
import type { WireNetworkPolicy } from './egress-wire.ts';

export interface WireSandbox {
  id: string;
  image?: { uri: string };
  status: { state: string; reason?: string; message?: string; lastTransitionAt?: string };
  metadata?: Record<string, string>;
  entrypoint?: string[];
  expiresAt?: string | null;
  createdAt: string;
}

export interface WireList {
  items: WireSandbox[];
  pagination: { page: number; pageSize: number; totalItems: number; totalPages: number; hasNextPage: boolean };
}

export interface WireVolume {
  name: string;
  host?: { path: string };
  pvc?: { claimName: string };
  mountPath: string;
  readOnly?: boolean;
}

export interface WireCreate {
  image: { uri: string };
  entrypoint: string[];
  resourceLimits: Record<string, string>;
  timeout: number | null;
  env: Record<string, string>;
  metadata: Record<string, string>;
  volumes?: WireVolume[];
  extensions?: Record<string, string>;
  /** Egress rules, enforced by the sandbox's egress sidecar (which then answers on port 18080). */
  networkPolicy?: WireNetworkPolicy;
  /** Transparent MITM for the Credential Vault; requires a networkPolicy. */
  credentialProxy?: { enabled: boolean };
}

export interface WireEndpoint {
  endpoint: string;
  headers?: Record<string, string>;
}
