/** Labels owctl stores on every sandbox it creates: ownership and what was applied, so no local state file is needed. */
export const LABEL_PROJECT = 'owctl.dev/project';
/** `<version>:<hash>` of the fields whose change needs a new sandbox (versioned: compose #11335). */
export const LABEL_CONFIG_HASH = 'owctl.dev/config-hash';
/** JSON of the non-secret in-place fields last applied, to tell drift (changed outside owctl) from file changes. */
export const LABEL_APPLIED = 'owctl.dev/applied';
/** `true` when the sandbox was declared with `protect: true`; survives its removal from the file. */
export const LABEL_PROTECT = 'owctl.dev/protect';
/** The OpenWork server's guest port, when it is not the image's 8787 (`server.port`). */
export const LABEL_SERVER_PORT = 'owctl.dev/server-port';
/** Salted scrypt digests of the credential values last started with (`model/credentials.ts`); never a value. */
export const LABEL_CREDENTIALS = 'owctl.dev/credentials';
export const OWCTL_LABEL_PREFIX = 'owctl.dev/';
