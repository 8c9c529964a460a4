/**
 * Where a sandbox keeps the state users expect to outlive it. The OpenWork image runs with HOME=/root, so OpenCode's
 * sessions (under $XDG_DATA_HOME, default ~/.local/share) and state, the server's issued tokens (its token store),
 * the provider keys set through `PUT /env` (its env store, default ~/.config/openwork/env.json) and its own config
 * (`server.json`, default under ~/.config/openwork, with `runtime.sqlite` beside it) live on the sandbox's root
 * filesystem and vanish when owctl replaces it. These variables point them into /data, the image's data volume, which
 * owctl binds to a host folder (./.owctl/NAME/data): a replacement keeps them, `destroy` keeps them, only
 * `destroy --purge` deletes them. `owctl init` and the example files set them under `defaults.env`.
 */
export const PERSISTED_STATE_ENV: Readonly<Record<string, string>> = {
  OPENWORK_TOKEN_STORE: '/data/openwork/tokens.json',
  OPENWORK_ENV_STORE: '/data/openwork/env.json',
  OPENWORK_SERVER_CONFIG: '/data/openwork/server.json',
  XDG_DATA_HOME: '/data/.local/share',
  XDG_STATE_HOME: '/data/.local/state',
};
