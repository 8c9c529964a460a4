/** The OpenSandbox lifecycle API's shapes as owctl uses them (a subset of the spec's schemas). */
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
}

export interface WireEndpoint {
  endpoint: string;
  headers?: Record<string, string>;
}
